"""One aggregate through time: its events with what caused each, and the aggregate as
it was at a given moment (time travel)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

from ops.audit_journal import Causes
from ops.audit_store import AuditError, Ledger
from ops.output import Record
from projections.base import utc_text
from projections.event_index import Facts, created_facts, event_facts
from projections.history import aggregate_at, render, render_state

__all__ = ["history", "render_state", "state_at"]


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
    record = aggregate_at(ledger, aggregate_id, at)
    if record is None:
        raise AuditError(f"{label} did not exist yet at {utc_text(at)}")
    return record
