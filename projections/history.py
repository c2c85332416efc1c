"""The audit questions over the stored history, asked by the CLI (`ops/audit*.py`) and
the API alike: the event log a page at a time, and an aggregate as it was at a point
in time (time travel). How the log is read is in history_log, how events and
aggregates become records in history_render, the store itself in history_store.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.station import Station
from projections.base import utc_text
from projections.event_index import describe
from projections.history_log import EventFilter, EventLog, UnknownEventType, event_types
from projections.history_render import Record, render, render_state
from projections.history_store import History
from projections.rows import Page

if TYPE_CHECKING:
    from domain.application import CentralSystem
    from projections.database import Database

__all__ = [
    "EventFilter",
    "EventHistory",
    "History",
    "Record",
    "UnknownEventType",
    "aggregate_at",
    "event_types",
    "render",
    "render_state",
]
# Rows read from the index or the store per round trip when a caller wants only a
# few events: enough to skip other stations' events without a query each.
MIN_PAGE = 100


def aggregate_at(history: History, aggregate_id: UUID, at: datetime) -> Record | None:
    """The aggregate with every event recorded up to `at` (inclusive) applied, or
    None if it did not exist yet then."""
    found: tuple[int, Any] | None = None
    for position, event in history.of_aggregate(aggregate_id):
        if event.timestamp > at:
            break  # versions are recorded in time order
        found = (position, event)
    if found is None:
        return None
    position, event = found
    # A past version is rebuilt from the stored events (and snapshots), never taken
    # from the aggregate cache: safe on the server's own CentralSystem.
    aggregate: Any = history.central.repository.get(
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


class EventHistory:
    """The history questions the API asks (projections.queries.HistoryQueries), over
    a CentralSystem and the database of the read models."""

    def __init__(self, central: CentralSystem, db: Database) -> None:
        self._history = History(central, db)

    def events(self, flt: EventFilter, *, first: int) -> Page[Record]:
        """Matching events in log order after position `flt.after`."""
        log = EventLog(self._history, flt, page=max(first + 1, MIN_PAGE))
        found = list(islice(log.records(), first + 1))
        return Page(found[:first], len(found) > first)

    def station_at(self, station_id: str, at: datetime) -> Record | None:
        return aggregate_at(self._history, Station.create_id(station_id), at)
