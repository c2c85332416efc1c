"""Stations view contract, on the SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from domain import commands as c
from domain.policy import Policy
from tests.ledger import Ledger

BOOT_DETAILS = {
    "chargePointSerialNumber": "CPS-1",
    "chargeBoxSerialNumber": "CBS-1",
    "firmwareVersion": "1.2.3",
    "iccid": "8931",
    "imsi": "2040",
    "meterType": "MT",
    "meterSerialNumber": "MS-1",
}


def test_registered_station_shows_its_boot_details(ledger: Ledger) -> None:
    ledger.handle(
        c.RegisterStation("CP-1"), c.RegisterBoot("CP-1", "ACME", "X1", BOOT_DETAILS)
    )

    station = ledger.queries.get_station("CP-1")
    assert station is not None
    assert (station.registered, station.registration_status) == (True, "Accepted")
    assert (station.vendor, station.model, station.firmware_version) == (
        "ACME",
        "X1",
        "1.2.3",
    )
    assert station.charge_point_serial_number == "CPS-1"
    assert station.charge_box_serial_number == "CBS-1"
    assert (station.iccid, station.imsi) == ("8931", "2040")
    assert (station.meter_type, station.meter_serial_number) == ("MT", "MS-1")
    assert station.last_boot_at is not None and station.last_boot_at.tzinfo is UTC


def test_registration_status_follows_the_boot_answers(sqlite_url: str) -> None:
    with Ledger.open(sqlite_url, Policy(unknown_stations="pending")) as ledger:
        ledger.handle(c.RecordAuthenticationFailure("CP-1", "bad password"))
        assert ledger.queries.get_station("CP-1").registration_status is None  # type: ignore[union-attr]

        ledger.handle(c.RegisterBoot("CP-1", "ACME", "X1"))
        assert ledger.queries.get_station("CP-1").registration_status == "Pending"  # type: ignore[union-attr]

        ledger.handle(c.RegisterStation("CP-1"))
        assert ledger.queries.get_station("CP-1").registration_status == "Accepted"  # type: ignore[union-attr]


def test_rejected_unknown_station_is_listed_as_rejected(ledger: Ledger) -> None:
    ledger.handle(c.RegisterBoot("CP-9", "ACME", "X9"))

    page = ledger.queries.list_stations(first=10, registration_status="Rejected")
    assert [s.id for s in page.items] == ["CP-9"]
    assert page.items[0].registered is False


def test_a_later_boot_replaces_the_details(ledger: Ledger) -> None:
    ledger.handle(
        c.RegisterStation("CP-1"),
        c.RegisterBoot("CP-1", "ACME", "X1", BOOT_DETAILS),
        c.RegisterBoot("CP-1", "ACME", "X1", {"firmwareVersion": "2.0"}),
    )

    station = ledger.queries.get_station("CP-1")
    assert station is not None
    assert (station.firmware_version, station.iccid) == ("2.0", None)


def test_connector_statuses_keep_error_vendor_fields_and_station_time(
    ledger: Ledger,
) -> None:
    ledger.handle(
        c.RegisterStation("CP-1"),
        c.UpdateConnectorStatus(
            "CP-1", 0, "Available", "NoError", timestamp="2026-11-25T10:00:00Z"
        ),
        c.UpdateConnectorStatus(
            "CP-1", 1, "Available", "NoError", timestamp="2026-11-25T10:00:00Z"
        ),
        c.UpdateConnectorStatus(
            "CP-1",
            1,
            "Faulted",
            "EVCommunicationError",
            "pilot",
            "ACME",
            "E42",
            timestamp="2026-11-25T10:05:00.250+01:00",
        ),
    )

    station = ledger.queries.get_station("CP-1")
    assert station is not None
    zero, one = station.connectors
    assert (zero.connector_id, zero.status) == (0, "Available")
    assert (one.connector_id, one.status, one.error_code) == (
        1,
        "Faulted",
        "EVCommunicationError",
    )
    assert (one.info, one.vendor_id, one.vendor_error_code) == ("pilot", "ACME", "E42")
    assert one.timestamp == datetime(2026, 11, 25, 9, 5, 0, 250000, tzinfo=UTC)


def test_stations_filter_by_connector_status_and_page_by_id(ledger: Ledger) -> None:
    for n in range(5):
        ledger.handle(c.RegisterStation(f"CP-{n}"))
    ledger.handle(c.UpdateConnectorStatus("CP-3", 1, "Charging", "NoError"))

    first = ledger.queries.list_stations(first=2)
    second = ledger.queries.list_stations(first=2, after=first.items[-1].id)
    last = ledger.queries.list_stations(first=2, after=second.items[-1].id)
    assert [[s.id for s in p.items] for p in (first, second, last)] == [
        ["CP-0", "CP-1"],
        ["CP-2", "CP-3"],
        ["CP-4"],
    ]
    assert (first.has_next, second.has_next, last.has_next) == (True, True, False)
    charging = ledger.queries.list_stations(first=10, connector_status="Charging")
    assert [s.id for s in charging.items] == ["CP-3"]


def test_online_and_last_seen_come_from_presence(ledger: Ledger) -> None:
    ledger.handle(c.RegisterStation("CP-1"), c.RegisterStation("CP-2"))
    # Presence is not an event: the OCPP adapter writes it with each commit.
    ledger.writer.record(presence=[("CP-1", 1, "2026-11-25T11:59:00Z", "node-a")])
    ledger.handle(c.RegisterStation("CP-3"))  # a commit after the presence row

    online = ledger.queries.list_stations(first=10, online=True)
    assert [s.id for s in online.items] == ["CP-1"]
    assert online.items[0].last_seen == datetime(2026, 11, 25, 11, 59, tzinfo=UTC)
    offline = ledger.queries.list_stations(first=10, online=False)
    assert [s.id for s in offline.items] == ["CP-2", "CP-3"]


def test_station_meter_values_outside_transactions_are_kept(ledger: Ledger) -> None:
    sample = {
        "timestamp": "2026-11-25T10:00:00Z",
        "sampledValue": [
            {"value": "1234", "measurand": "Energy.Active.Import.Register"}
        ],
    }
    ledger.handle(c.RegisterStation("CP-1"), c.RecordMeterValues("CP-1", 0, [sample]))

    rows = [r for r in ledger.dump() if r["table"] == "stations_v1_meter_values"]
    assert len(rows) == 1
    assert (rows[0]["station_id"], rows[0]["connector_id"]) == ("CP-1", 0)
    assert rows[0]["timestamp"] == "2026-11-25T10:00:00.000000Z"
    assert "Energy.Active.Import.Register" in str(rows[0]["sampled_values"])


def test_diagnostics_and_firmware_statuses_are_shown(ledger: Ledger) -> None:
    ledger.handle(
        c.RegisterStation("CP-1"),
        c.RecordDiagnosticsStatus("CP-1", "Uploaded"),
        c.RecordFirmwareStatus("CP-1", "Installing"),
    )

    station = ledger.queries.get_station("CP-1")
    assert station is not None
    assert (station.diagnostics_status, station.firmware_status) == (
        "Uploaded",
        "Installing",
    )
