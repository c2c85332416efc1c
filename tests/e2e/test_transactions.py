"""Transactions: retries are idempotent, offline data is accepted, nothing is lost."""

from __future__ import annotations

from domain.station import Station
from tests.e2e.conftest import Csms, StartCsms
from tests.e2e.station import ScriptedStation


def event_count(csms: Csms) -> int:
    return int(csms.runtime.central.recorder.max_notification_id() or 0)


async def test_resent_start_transaction_gets_the_same_id_and_creates_nothing(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    first = await station.start(1, "TAG-1", meter=42, timestamp="2026-11-25T10:00:00Z")
    before = event_count(csms)
    # The station never saw our answer and resends, with milliseconds this time.
    again = await station.start(1, "TAG-1", meter=42, timestamp="2026-11-25T10:00:00.000Z")
    assert again == first
    assert event_count(csms) == before


async def test_resent_stop_is_answered_again_and_changes_nothing(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    tx = (await station.start(1, "TAG-1"))["transactionId"]
    stop = {"reason": "Local", "timestamp": "2026-11-25T11:00:00Z"}
    first = await station.stop(tx, 100, **stop)
    before = event_count(csms)
    assert await station.stop(tx, 100, **stop) == first
    assert event_count(csms) == before


async def test_unknown_stop_transaction_is_answered_normally(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    for unknown in (-1, 0, 999_999):
        assert await station.stop(unknown, 10) == {}


async def test_timestamps_without_milliseconds_with_offset_and_out_of_range(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    for stamp in ("2021-11-03T10:00:00Z", "2021-11-03T12:00:00.123+02:00",
                  "222222017-01-01T00:00:00Z", "1999-12-31T23:59:59Z"):  # fmt: skip
        answer = await station.start(1, "TAG-1", timestamp=stamp)
        assert answer["transactionId"] > 0


async def test_meter_values_inside_and_outside_a_transaction(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    tx = (await station.start(1, "TAG-1"))["transactionId"]
    sample = {"timestamp": "2026-11-25T10:05:00Z", "sampledValue": [
        {"value": "1234", "measurand": "Energy.Active.Import.Register", "unit": "Wh",
         "context": "Sample.Periodic", "location": "Outlet", "format": "Raw"},
        {"value": "16.1", "measurand": "Current.Import", "unit": "A", "phase": "L1-N"},
        {"value": "21", "measurand": "Temperature", "unit": "Celcius"},
        {"value": "AB12", "format": "SignedData"},
    ]}  # fmt: skip
    payload = {"connectorId": 1, "transactionId": tx, "meterValue": [sample]}
    assert await station.result("MeterValues", payload) == {}
    assert await station.result("MeterValues", {"connectorId": 0, "meterValue": [sample]}) == {}


async def test_restart_loses_nothing_that_was_acknowledged(start_csms: StartCsms) -> None:
    from domain import commands

    node = await start_csms()
    await node.seed(commands.RegisterStation("CP-1"), commands.UpsertIdTag("TAG-1", "Accepted"))
    station: ScriptedStation = await node.connect("CP-1")
    await station.status(1, "Charging")
    tx = (await station.start(1, "TAG-1", timestamp="2026-11-25T10:00:00Z"))["transactionId"]
    await node.client.close()
    # A new process on the same store: the station, its status and its open
    # transaction are all there, and a resent start still finds the transaction.
    node = await start_csms()
    station = await node.connect("CP-1")
    again = await station.start(1, "TAG-1", timestamp="2026-11-25T10:00:00Z")
    assert again["transactionId"] == tx
    found = node.runtime.central.repository.get(Station.create_id("CP-1"))
    assert found.connectors[1][0] == "Charging"
    assert 1 in found.occupied
