"""One aggregate through time: its events with what caused each, and the aggregate as
it was at a given moment (time travel)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.operation import Operation
from domain.station import Station
from domain.transaction import Transaction
from ops.audit_journal import Causes
from ops.audit_store import SECRETS, AuditError, Ledger, render
from ops.output import Record, jsonable
from projections.base import utc_text
from projections.event_index import Facts, created_facts, describe, event_facts

HIDDEN = frozenset({"recent", "stop_digest"})  # dedup bookkeeping, not state


def history(ledger: Ledger, aggregate_id: UUID) -> Iterator[Record]:
    """The aggregate's events in order; `cause` names the station CALL (from the
    journal) or the operator request that led to each, when one can be told."""
    causes = Causes(ledger)
    facts: Facts | None = None
    for position, event in ledger.of_aggregate(aggregate_id):
        facts = facts or created_facts(event)
        station, txid = event_facts(event, facts)
        record = render(position, event, station, txid)
        record["cause"] = causes.of(event, station)
        yield record


def state_at(ledger: Ledger, aggregate_id: UUID, at: datetime, label: str) -> Record:
    """The aggregate with every event recorded up to `at` (inclusive) applied."""
    found: tuple[int, Any] | None = None
    for position, event in ledger.of_aggregate(aggregate_id):
        if event.timestamp > at:
            break  # versions are recorded in time order
        found = (position, event)
    if found is None:
        raise AuditError(f"{label} did not exist yet at {utc_text(at)}")
    position, event = found
    aggregate: Any = ledger.central.repository.get(
        aggregate_id, version=event.originator_version
    )
    station = getattr(aggregate, "charge_point_id", None)
    record: Record = {
        "record": "state",
        "at": utc_text(at),
        "aggregate": {"kind": describe(type(event))[1], "id": str(aggregate_id)},
        "version": event.originator_version,
        "position": position,
        "recordedAt": utc_text(event.timestamp),
    }
    if isinstance(station, str):
        record["stationId"] = station
    record["state"] = render_state(aggregate)
    return record


def render_state(aggregate: Any) -> dict[str, Any]:
    """The aggregate's attributes as JSON (secrets redacted, bookkeeping left out)."""
    state: dict[str, Any] = {}
    for name, value in vars(aggregate).items():
        if name.startswith("_") or name in HIDDEN:
            continue
        redact = name in SECRETS and value is not None
        state[name] = "<redacted>" if redact else jsonable(value)
    if isinstance(aggregate, Station):
        state["accepted"] = aggregate.accepted
        state["connectors"] = [
            {
                "connector_id": connector,
                "status": status,
                "error_code": error,
                "timestamp": utc_text(at),
            }
            for connector, (status, error, at) in sorted(aggregate.connectors.items())
        ]
    elif isinstance(aggregate, Transaction):
        state["stopped"] = aggregate.stop_digest is not None
    elif isinstance(aggregate, Operation):
        state["outcome"] = aggregate.outcome
    return state
