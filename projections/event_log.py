"""The application's notification log, read straight from its table in big batches.

`recorder.select_notifications` builds a frozen Notification and a UUID per row, which
a rebuild of hundreds of thousands of events cannot afford; the rows are read here as
plain tuples (SQLite keeps the position as the rowid, PostgreSQL as
`notification_id`, as in `history_store`), decoded by `EventDecoder`, and turned into
Notifications only for a hook that asks for them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.persistence import Notification

from projections.database import Database
from projections.decoding import EventDecoder, canonical_id

if TYPE_CHECKING:
    from domain.application import CentralSystem

# (position, originator id as stored, version, topic, state)
StoredRow = tuple[int, str, int, str, bytes]
ByTopic = dict[str, list[tuple[int, Any]]]  # topic: (position, domain event)…


class EventLog:
    """Reads and decodes the stored events of one CentralSystem's store."""

    def __init__(self, central: CentralSystem, db: Database) -> None:
        recorder: Any = central.recorder
        self.table = str(recorder.events_table_name)
        self.position = "rowid" if db.dialect == "sqlite" else "notification_id"
        # PostgreSQL stores a uuid: as text it is already canonical.
        postgres = db.dialect == "postgresql"
        originator = "originator_id::text" if postgres else "originator_id"
        self._columns = (self.position, originator)
        self._db = db
        self._decoder = EventDecoder(central.mapper)

    def read(
        self, start: int, limit: int, stop: int | None = None,
        topics: Collection[str] | None = None,
        ids: Mapping[str, tuple[str, str]] | None = None,
    ) -> list[StoredRow]:  # fmt: skip
        """Up to `limit` rows from position `start` (to `stop`), in log order. With
        `topics` and `stop`, only rows of those topics, and the row at `stop`: the
        store skips the others without making them Python objects (a rebuild of a
        few views), and the last row read is still where the range ends. `ids`
        limits some of those topics to the aggregates whose ids, as stored, lie in
        `[first, second)` (one share of a rebuild split by aggregate). The row at
        `stop` has no topic then, unless it is one of those wanted."""
        params: tuple[Any, ...]
        if stop is None:
            sql, params = f"{self._select()} ORDER BY 1 LIMIT ?", (start, limit)
        elif topics is None:
            sql = f"{self._select()} AND {self.position} <= ? ORDER BY 1 LIMIT ?"
            params = (start, stop, limit)
        else:
            wanted, values = _topic_filter(topics, ids or {})
            # The row at `stop` is there for its position only: without a topic
            # unless it is wanted, nothing decodes it.
            topic = f"CASE WHEN {wanted} THEN topic END"
            sql = (
                f"{self._select(topic)} AND {self.position} <= ? AND ({wanted} OR "
                f"{self.position} = ?) ORDER BY 1 LIMIT ?"
            )
            params = (*values, start, stop, *values, stop, limit)
        return cast("list[StoredRow]", self._db.rows(sql, params))

    def _select(self, topic: str = "topic") -> str:
        position, originator = self._columns
        return (f"SELECT {position}, {originator}, originator_version, {topic}, state "
                f"FROM {self.table} WHERE {position} >= ?")  # fmt: skip

    def decode(self, rows: list[StoredRow], topics: Collection[str]) -> ByTopic:
        """The events of the rows with these topics, by topic, each list in log
        order (decoding is most of a rebuild's cost: nothing else is decoded)."""
        decode = self._decoder.decode
        groups: ByTopic = {}
        ids: dict[str, str] = {}  # an aggregate's events come close together
        for i, stored_id, version, topic, state in rows:
            if topic in topics:
                originator = ids.get(stored_id)
                if originator is None:
                    originator = ids[stored_id] = canonical_id(stored_id)
                event = decode(topic, state, originator, version)
                group = groups.get(topic)
                if group is None:
                    group = groups[topic] = []
                group.append((i, event))
        return groups

    @staticmethod
    def notifications(rows: list[StoredRow]) -> list[Notification]:
        return [
            Notification(
                id=i, originator_id=UUID(o), originator_version=v, topic=t, state=s
            )
            for i, o, v, t, s in rows
        ]


def _topic_filter(
    topics: Collection[str], ids: Mapping[str, tuple[str, str]]
) -> tuple[str, tuple[Any, ...]]:
    """`topic IN (…)`, and per id range `(topic IN (…) AND originator_id …)`."""
    by_range: dict[tuple[str, str] | None, list[str]] = {}
    for topic in sorted(topics):
        by_range.setdefault(ids.get(topic), []).append(topic)
    clauses, params = [], []
    for bounds, group in by_range.items():
        clause = f"topic IN ({', '.join('?' * len(group))})"
        params += group
        if bounds is not None:
            clause = f"({clause} AND originator_id >= ? AND originator_id < ?)"
            params += bounds
        clauses.append(clause)
    return " OR ".join(clauses), tuple(params)
