"""The event index projection: one row per event, the same rows however it is fed."""

from __future__ import annotations

from typing import Any

from ops.audit import EventFilter, events
from ops.audit_store import Ledger
from projections.event_index import (
    AGGREGATE_FACTS,
    EVENTS,
    MINUTES,
    EventIndexProjection,
)
from tests.audit.conftest import Scenario, build_index


def rows(ledger: Ledger, prefix: str = "") -> list[dict[str, Any]]:
    with ledger.db.transaction() as cur:
        return EventIndexProjection(prefix).dump(cur)


async def test_index_has_a_row_per_event_with_what_filters_need(
    scenario: Scenario, ledger: Ledger
) -> None:
    build_index(ledger)
    indexed = {r["position"]: r for r in rows(ledger) if r["table"] == EVENTS.name}
    logged = [r for r in events(ledger, EventFilter()) if r is not None]
    assert sorted(indexed) == [r["position"] for r in logged]
    for record in logged:
        row = indexed[record["position"]]
        assert (row["type"], row["kind"], row["aggregate_id"], row["version"]) == (
            record["type"],
            record["aggregate"]["kind"],
            record["aggregate"]["id"],
            record["version"],
        )
        assert row["recorded_at"] == record["recordedAt"]
        assert row["station_id"] == record.get("stationId")
        assert row["transaction_id"] == record.get("transactionId")
    stopped = next(r for r in indexed.values() if r["type"] == "Transaction.Stopped")
    assert (stopped["station_id"], stopped["transaction_id"]) == (
        "CP-1",
        scenario.transaction_id,
    )
    completed = next(r for r in indexed.values() if r["type"] == "Operation.Completed")
    assert (
        completed["operation_id"] == scenario.operation_id == completed["aggregate_id"]
    )
    assert completed["station_id"] == "CP-1"


async def test_rebuilding_in_other_batches_gives_the_same_rows(
    scenario: Scenario, ledger: Ledger
) -> None:
    # Live: a few events at a time; rebuilt: everything in one batch, beside it.
    build_index(ledger, batch_size=3)
    build_index(ledger, prefix="scratch_", batch_size=1000)
    assert rows(ledger) == rows(ledger, "scratch_")
    assert {r["table"] for r in rows(ledger)} == {
        EVENTS.name,
        MINUTES.name,
        AGGREGATE_FACTS.name,
    }


async def test_minute_spans_cover_every_position_recorded_in_them(
    scenario: Scenario, ledger: Ledger
) -> None:
    build_index(ledger, batch_size=4)
    dumped = rows(ledger)
    spans = {r["minute"]: r for r in dumped if r["table"] == MINUTES.name}
    for row in (r for r in dumped if r["table"] == EVENTS.name):
        span = spans[row["recorded_at"][:16]]
        assert span["first_position"] <= row["position"] <= span["last_position"]


async def test_every_stored_event_type_is_indexed(
    scenario: Scenario, ledger: Ledger
) -> None:
    stored = ledger.central.recorder.select_notifications(1, 100_000)
    assert {n.topic for n in stored} <= EventIndexProjection.topics
