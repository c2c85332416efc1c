"""Events and aggregates as JSON-safe records: the one rendering behind the audit
CLI's lines and the GraphQL `events` and `stationAt` answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.operation import Operation
from domain.station import Station
from domain.transaction import Transaction
from projections.base import utc_text
from projections.event_index import describe

Record = dict[str, Any]
META = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
)
SECRETS = frozenset({"password_hash"})  # an audit answer is no place for credentials
HIDDEN = frozenset({"recent", "stop_digest"})  # dedup bookkeeping, not state
_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Event fields as JSON values: datetimes ISO UTC, UUIDs and decimals as text."""
    if type(value) in _PLAIN:  # most fields: checked first, the dump does this a lot
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, UUID | Decimal):
        return str(value)
    return value


def render(position: int, event: Any, station: str | None, txid: int | None) -> Record:
    """One event: where it is, when, what, whose, and its fields."""
    type_name, kind = describe(type(event))
    record: Record = {
        "record": "event",
        "position": position,
        "recordedAt": utc_text(event.timestamp),
        "type": type_name,
        "aggregate": {"kind": kind, "id": str(event.originator_id)},
        "version": event.originator_version,
    }
    if station is not None:
        record["stationId"] = station
    if txid is not None:
        record["transactionId"] = txid
    record["data"] = {
        name: _redacted(name, value)
        for name, value in vars(event).items()
        if name not in META
    }
    return record


def render_state(aggregate: Any) -> dict[str, Any]:
    """The aggregate's attributes (secrets redacted, bookkeeping left out)."""
    state: dict[str, Any] = {
        name: _redacted(name, value)
        for name, value in vars(aggregate).items()
        if not name.startswith("_") and name not in HIDDEN
    }
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


def _redacted(name: str, value: Any) -> Any:
    return "<redacted>" if name in SECRETS and value is not None else jsonable(value)
