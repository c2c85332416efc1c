"""Transactions view contract, on the SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import commands as c
from tests.ledger import Ledger

SIGNED = {
    "value": "AQIDBA==",
    "format": "SignedData",
    "context": "Transaction.End",
    "measurand": "Energy.Active.Import.Register",
    "location": "Outlet",
    "unit": "Wh",
}


@pytest.fixture
def station(ledger: Ledger) -> Ledger:
    ledger.handle(c.RegisterStation("CP-1"), c.UpsertIdTag("TAG-1", "Accepted"))
    return ledger


def start(
    ledger: Ledger,
    connector: int = 1,
    tag: str = "TAG-1",
    at: str = "2026-11-25T10:00:00Z",
    meter: int = 1000,
) -> int:
    (handled,) = ledger.handle(c.StartTransaction("CP-1", connector, tag, meter, at))
    return int(handled.result.transaction_id)  # type: ignore[attr-defined]


def test_a_started_transaction_is_active_with_what_the_station_sent(
    station: Ledger,
) -> None:
    number = start(station, at="2026-11-25T10:00:00.500+02:00")

    tx = station.queries.get_transaction(number)
    assert tx is not None
    assert (tx.station_id, tx.connector_id, tx.id_tag, tx.meter_start) == (
        "CP-1",
        1,
        "TAG-1",
        1000,
    )
    assert tx.started_at == datetime(2026, 11, 25, 8, 0, 0, 500000, tzinfo=UTC)
    assert (tx.authorization_status, tx.active, tx.stopped_at) == (
        "Accepted",
        True,
        None,
    )


def test_stop_records_reason_energy_and_transaction_data(station: Ledger) -> None:
    number = start(station)
    end = {"timestamp": "2026-11-25T11:00:00Z", "sampledValue": [SIGNED]}
    station.handle(
        c.StopTransaction(
            "CP-1",
            number,
            4500,
            "2026-11-25T11:00:00Z",
            reason="EVDisconnected",
            transaction_data=[end],
        )
    )

    tx = station.queries.get_transaction(number)
    assert tx is not None
    assert (tx.meter_stop, tx.energy_wh, tx.stop_reason, tx.active) == (
        4500,
        3500,
        "EVDisconnected",
        False,
    )
    assert tx.stopped_at == datetime(2026, 11, 25, 11, tzinfo=UTC)
    (value,) = station.queries.meter_values([number])[number]
    assert value.source == "StopTransaction"
    assert value.sampled_values[0].format == "SignedData"


def test_meter_values_are_kept_in_order_with_exact_ocpp_strings(
    station: Ledger,
) -> None:
    number = start(station)
    phases = [
        {
            "value": "16.1",
            "measurand": "Current.Import",
            "phase": "L1-N",
            "unit": "A",
            "context": "Sample.Periodic",
            "location": "Outlet",
            "format": "Raw",
        },
        {
            "value": "21.5",
            "measurand": "Temperature",
            "unit": "Celsius",
            "location": "Body",
            "context": "Trigger",
        },
    ]
    station.handle(
        c.RecordMeterValues(
            "CP-1",
            1,
            [
                {
                    "timestamp": "2026-11-25T10:01:00Z",
                    "sampledValue": [{"value": "1100"}],
                }
            ],
            number,
        ),
        c.RecordMeterValues(
            "CP-1",
            1,
            [{"timestamp": "2026-11-25T10:02:00.123Z", "sampledValue": phases}],
            number,
        ),
    )

    first, second = station.queries.meter_values([number])[number]
    assert first.timestamp == datetime(2026, 11, 25, 10, 1, tzinfo=UTC)
    assert [(s.value, s.measurand, s.unit) for s in first.sampled_values] == [
        ("1100", None, None)
    ]
    assert second.timestamp == datetime(2026, 11, 25, 10, 2, 0, 123000, tzinfo=UTC)
    current, temperature = second.sampled_values
    assert (current.phase, current.unit, current.context) == (
        "L1-N",
        "A",
        "Sample.Periodic",
    )
    assert (temperature.unit, temperature.location, temperature.context) == (
        "Celsius",
        "Body",
        "Trigger",
    )


def test_a_start_on_a_busy_connector_closes_the_stale_transaction(
    station: Ledger,
) -> None:
    stale = start(station)
    fresh = start(station, at="2026-11-25T12:00:00Z", meter=2000)

    old = station.queries.get_transaction(stale)
    assert old is not None
    assert (old.closed_as_stale, old.superseded_by, old.active) == (True, fresh, False)
    assert old.stopped_at is None


def test_a_refused_tag_still_gets_a_transaction_that_says_so(station: Ledger) -> None:
    number = start(station, tag="NOBODY")

    tx = station.queries.get_transaction(number)
    assert tx is not None and tx.authorization_status == "Invalid"


def test_a_conflicting_second_stop_is_counted_but_changes_nothing(
    station: Ledger,
) -> None:
    number = start(station)
    station.handle(
        c.StopTransaction("CP-1", number, 1500, "2026-11-25T11:00:00Z"),
        c.StopTransaction("CP-1", number, 9999, "2026-11-25T11:30:00Z"),
    )

    (row,) = [r for r in station.dump() if r["table"] == "transactions_v1"]
    assert (row["meter_stop"], row["stop_conflicts"]) == (1500, 1)


def test_transactions_filter_and_page_newest_first(station: Ledger) -> None:
    station.handle(c.UpsertIdTag("TAG-2", "Accepted"))
    # A late offline transaction from yesterday, then two today on other connectors.
    late = start(station, connector=1, at="2026-11-24T08:00:00Z")
    station.handle(c.StopTransaction("CP-1", late, 1200, "2026-11-24T09:00:00Z"))
    mine = start(station, connector=2, at="2026-11-25T09:00:00Z")
    theirs = start(station, connector=3, tag="TAG-2", at="2026-11-25T09:30:00Z")
    q = station.queries

    assert [t.transaction_id for t in q.list_transactions(first=10).items] == [
        theirs,
        mine,
        late,
    ]
    assert [
        t.transaction_id for t in q.list_transactions(first=10, id_tag="tag-1").items
    ] == [mine, late]
    assert [
        t.transaction_id for t in q.list_transactions(first=10, active=False).items
    ] == [late]
    today = q.list_transactions(
        first=10,
        started_from=datetime(2026, 11, 25, tzinfo=UTC),
        started_to=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    )
    assert [t.transaction_id for t in today.items] == [mine]
    page = q.list_transactions(first=2, station_id="CP-1")
    rest = q.list_transactions(
        first=2, station_id="CP-1", after=page.items[-1].transaction_id
    )
    assert page.has_next and [t.transaction_id for t in rest.items] == [late]
    assert not rest.has_next
