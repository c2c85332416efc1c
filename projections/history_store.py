"""Reading the stored history: events with their global positions, decoded, and the
event index where it has been built (the audit CLI and the GraphQL `events`).

eventsourcing reads one aggregate without positions and the log only as a range, so
events by position or by aggregate with positions are read from its table here (as
`ops/integrity.py` does): SQLite keeps the position as the rowid, PostgreSQL as
`notification_id`. Only stored events are read, never the writer's cache, so the
server's own CentralSystem serves as well as a read-only one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.application import CentralSystem
from projections.base import IN_CHUNK
from projections.database import Database, Row
from projections.event_index import EVENTS, EventIndexProjection, Facts, created_facts

PAGE = 1000
Positioned = tuple[int, Any]  # (position, domain event)


@dataclass
class History:
    """One CSMS database's stored history: events through a CentralSystem, side
    tables (event index, journal) through the SQL port."""

    central: CentralSystem
    db: Database

    @property
    def events_table(self) -> str:
        return str(self.central.recorder.events_table_name)  # type: ignore[attr-defined]

    @property
    def _position(self) -> str:
        return "rowid" if self.db.dialect == "sqlite" else "notification_id"

    def has_table(self, name: str) -> bool:
        if self.db.dialect == "sqlite":
            # Every attached file: the views file and the ledger beside it.
            sql = "SELECT name FROM pragma_table_list WHERE type = 'table' AND name = ?"
            return bool(self.db.query(sql, (name,)))
        return self.db.query("SELECT to_regclass(?) AS t", (name,))[0]["t"] is not None

    def max_position(self) -> int:
        return int(self.central.recorder.max_notification_id() or 0)

    def index_position(self) -> int | None:
        """How far the event index has got, or None where it was never built."""
        if not (self.has_table(EVENTS.name) and self.has_table("projection_tracking")):
            return None
        rows = self.db.query(
            "SELECT position FROM projection_tracking WHERE name = ?",
            (EventIndexProjection.name,),
        )
        return int(rows[0]["position"]) if rows else None

    def _select(self, where: str, params: Sequence[Any], tail: str = "") -> list[Row]:
        return self.db.query(
            f"SELECT {self._position} AS position, originator_id, originator_version, "
            f"topic, state FROM {self.events_table} WHERE {where} {tail}",
            params,
        )

    def _decode(self, rows: list[Row]) -> list[Positioned]:
        to_event = self.central.mapper.to_domain_event
        decoded = []
        for row in rows:
            originator = row["originator_id"]
            notification = Notification(
                id=row["position"],
                originator_id=originator
                if isinstance(originator, UUID)
                else UUID(originator),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            decoded.append((int(row["position"]), to_event(notification)))
        return decoded

    def at_positions(self, positions: Sequence[int]) -> list[Positioned]:
        found: list[Positioned] = []
        for i in range(0, len(positions), IN_CHUNK):
            chunk = list(positions[i : i + IN_CHUNK])
            marks = ", ".join("?" * len(chunk))
            found += self._decode(self._select(f"{self._position} IN ({marks})", chunk))
        return sorted(found, key=lambda pair: pair[0])

    def of_aggregate(
        self, aggregate_id: UUID, after_version: int = 0
    ) -> Iterator[Positioned]:
        """One aggregate's events in version order, a page at a time."""
        key: Any = aggregate_id.hex if self.db.dialect == "sqlite" else aggregate_id
        while True:
            rows = self._select(
                "originator_id = ? AND originator_version > ?",
                (key, after_version, PAGE),
                "ORDER BY originator_version LIMIT ?",
            )
            yield from self._decode(rows)
            if len(rows) < PAGE:
                return
            after_version = rows[-1]["originator_version"]

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.central.recorder.select_events(aggregate_id, limit=1))


class Resolver:
    """An aggregate's facts (station, transaction id) from its created event, as the
    index has them; remembered for a bounded number of aggregates."""

    def __init__(self, history: History, capacity: int = 100_000) -> None:
        self._history = history
        self._capacity = capacity
        self._known: dict[int, Facts] = {}  # by UUID.int: UUID hashes in Python

    def facts(self, aggregate_id: UUID, created: Any = None) -> Facts | None:
        """`created`: the aggregate's created event when the caller has it at hand."""
        found = self._known.get(aggregate_id.int)
        if found is None:
            created = created if created is not None else self._created(aggregate_id)
            if created is None:
                return None
            found = self._remember(aggregate_id.int, created_facts(created))
        return found

    def _created(self, aggregate_id: UUID) -> Any:
        return next(iter(self._history.central.events.get(aggregate_id, lte=1)), None)

    def _remember(self, key: int, facts: Facts) -> Facts:
        if len(self._known) >= self._capacity:  # forget the oldest: dicts keep order
            del self._known[next(iter(self._known))]
        self._known[key] = facts
        return facts
