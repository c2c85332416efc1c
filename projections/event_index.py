"""Event index: one row per stored event, to find events by station, type, time or
transaction without reading the whole log (the audit CLI and the GraphQL `events`).

Each row holds only facts fixed by the event and by its aggregate's created event
(which always comes first in the log), so a rebuild gives the same rows whatever the
batch boundaries: a station id from `charge_point_id`, a transaction id from
`transaction_id` or a TransactionNumber's `number`.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import get_topic

import domain.application  # noqa: F401 (imports every aggregate the CSMS records)
from domain.transaction_number import TransactionNumber
from projections.base import IN_CHUNK, Events, SqlProjection, Table, utc_text
from projections.database import Cursor, Row

KNOWN_AGGREGATES = 100_000  # facts kept in memory between batches

EVENTS = Table(
    "event_index_v2",
    (
        ("position", "BIGINT NOT NULL"),  # the notification id
        ("recorded_at", "TEXT NOT NULL"),  # the event's timestamp, fixed-width UTC
        ("type", "TEXT NOT NULL"),  # Station.ConnectorStatusChanged
        ("kind", "TEXT NOT NULL"),  # station | transaction | id_tag | …
        ("aggregate_id", "TEXT NOT NULL"),
        ("version", "BIGINT NOT NULL"),
        ("station_id", "TEXT"),
        ("transaction_id", "BIGINT"),
        ("operation_id", "TEXT"),
    ),
    key=("position",),
    # Every index costs each insert; time has its own small table (MINUTES) instead.
    indexes=(
        ("station_id", "position"),
        ("type", "position"),
        ("transaction_id", "position"),
    ),
    # v2: on SQLite the position is the rowid (v1 kept a rowid beside it, and an
    # index on the position); the station and transaction indexes leave out the
    # events that have none (an id tag's, a station's).
    rowid=True,
    sparse=("station_id", "transaction_id"),
)
# The positions recorded in each UTC minute: a time range becomes an exact position
# window at the cost of a row per minute, not an index entry per event.
MINUTES = Table(
    "event_index_v2_minutes",
    (
        ("minute", "TEXT NOT NULL"),  # 2026-11-25T12:03
        ("first_position", "BIGINT NOT NULL"),
        ("last_position", "BIGINT NOT NULL"),
    ),
    key=("minute",),
)
# What an aggregate's created event said, looked up for its later events.
AGGREGATE_FACTS = Table(
    "event_index_v2_aggregates",
    (
        ("uuid", "TEXT NOT NULL"),
        ("kind", "TEXT NOT NULL"),
        ("station_id", "TEXT"),
        ("transaction_id", "BIGINT"),
    ),
    key=("uuid",),
)
MINUTE_LENGTH = len("2026-11-25T12:03")


@dataclass(frozen=True)
class Facts:
    """What an aggregate's created event fixes for all its events."""

    kind: str
    station_id: str | None = None
    transaction_id: int | None = None


def aggregates() -> list[type[Aggregate]]:
    """Every aggregate class of the domain, so a new one is indexed without a change
    here (an event type the index missed would be missing from filtered audits)."""
    found, todo = [], list(Aggregate.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("domain."):
            found.append(cls)
    return sorted(set(found), key=lambda cls: cls.__qualname__)


def event_classes() -> dict[str, type]:
    """Every indexed event class by its type name (`Station.Registered`)."""
    found: dict[str, type] = {}
    for aggregate in aggregates():
        for name, value in vars(aggregate).items():
            # Skip the library's per-aggregate base classes, which nothing records.
            if name in ("Event", "Created") or not isinstance(value, type):
                continue
            if issubclass(value, CanMutateAggregate):
                found[value.__qualname__] = value
    return found


_NAMES: dict[type, tuple[str, str]] = {}


def describe(event_class: type) -> tuple[str, str]:
    """(type, kind) of an event class: `Station.Registered`, `station`."""
    names = _NAMES.get(event_class)
    if names is None:
        module, qualname = get_topic(event_class).split(":", 1)
        names = _NAMES[event_class] = (qualname, module.rsplit(".", 1)[-1])
    return names


def created_facts(event: Any) -> Facts:
    """The facts a created event fixes (generic: any `charge_point_id`)."""
    kind = describe(type(event))[1]
    if isinstance(event, TransactionNumber.Assigned):
        return Facts(kind, None, event.number)
    txid = getattr(event, "transaction_id", None)
    return Facts(
        kind,
        getattr(event, "charge_point_id", None),
        txid if isinstance(txid, int) else None,
    )


def event_facts(event: Any, facts: Facts | None) -> tuple[str | None, int | None]:
    """(station id, transaction id) of one event, given its aggregate's facts."""
    station = facts.station_id if facts else None
    txid = facts.transaction_id if facts else None
    own = getattr(event, "transaction_id", None)  # e.g. meter values naming a tx id
    return station, own if txid is None and isinstance(own, int) else txid


def minute_of(recorded_at: str) -> str:
    return recorded_at[:MINUTE_LENGTH]


class EventIndexProjection(SqlProjection):
    """Where every event is: position, time, type, aggregate, station, transaction."""

    name = "event_index_v2"
    tables = (EVENTS, MINUTES, AGGREGATE_FACTS)
    topics = frozenset(get_topic(cls) for cls in event_classes().values())
    by_aggregate = True  # a row's facts come from its own aggregate's created event
    apply_cost = 0.9

    def __init__(self, prefix: str = "", *, secondary: bool = True) -> None:
        super().__init__(prefix, secondary=secondary)
        # Facts never change (events are immutable): remembered across batches, so a
        # rebuild rarely asks the table. Bounded; a dict forgets in insertion order.
        self._known: dict[str, Facts] = {}

    def create_tables(self, cur: Cursor) -> None:
        self._known.clear()
        super().create_tables(cur)

    def drop_tables(self, cur: Cursor) -> None:
        self._known.clear()
        super().drop_tables(cur)

    def merge(self, cur: Cursor, schema: str) -> None:
        self.copy(cur, schema, EVENTS)
        self.copy(cur, schema, AGGREGATE_FACTS)
        # Both parts may have events in the same minute: one span covers them all.
        self.copy(cur, schema, MINUTES, "ON CONFLICT (minute) DO UPDATE SET first_"
                  "position = min(first_position, excluded.first_position), last_"
                  "position = max(last_position, excluded.last_position)")  # fmt: skip

    def apply(self, cur: Cursor, events: Events) -> None:
        known = self._known
        created: list[Row] = []
        rows, unknown = _rows(events, known, created)
        if unknown:  # aggregates created before this batch and forgotten since
            ids = {str(event.originator_id) for _, event in unknown}
            known.update(self._facts(cur, list(ids)))
            redone = {row[0]: row for row in _rows(unknown, known, created)[0]}
            rows = [redone.get(row[0], row) for row in rows]
        # In key order: ids are random, and rows in their order are scattered over
        # the whole key index (measured: twice as long for a rebuild's batch).
        self.write(cur, AGGREGATE_FACTS, sorted(created, key=itemgetter("uuid")))
        self.write(cur, MINUTES, self._minutes(cur, rows))
        # Tuples straight to executemany: a rebuild spends its time here.
        cur.executemany(EVENTS.insert(self.prefix), rows)
        while len(known) > KNOWN_AGGREGATES:
            del known[next(iter(known))]

    def _facts(self, cur: Cursor, ids: list[str]) -> dict[str, Facts]:
        return {
            r["uuid"]: Facts(r["kind"], r["station_id"], r["transaction_id"])
            for r in self._select(cur, AGGREGATE_FACTS, "uuid", ids)
        }

    def _minutes(self, cur: Cursor, rows: list[tuple[Any, ...]]) -> list[Row]:
        spans: dict[str, Row] = {}
        for row in rows:
            minute = row[1][:MINUTE_LENGTH]
            span = spans.get(minute)
            if span is None:
                spans[minute] = {"minute": minute, "first_position": row[0],
                                 "last_position": row[0]}  # fmt: skip
            else:
                span["last_position"] = row[0]  # rows come in position order
        for old in self._select(cur, MINUTES, "minute", list(spans)):
            span = spans[old["minute"]]
            span["first_position"] = min(span["first_position"], old["first_position"])
            span["last_position"] = max(span["last_position"], old["last_position"])
        return [spans[minute] for minute in sorted(spans)]

    def _select(
        self, cur: Cursor, table: Table, column: str, keys: list[Any]
    ) -> list[Row]:
        found: list[Row] = []
        wanted = sorted(set(keys))
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i : i + IN_CHUNK]
            cur.execute(
                f"SELECT {', '.join(table.column_names)} "
                f"FROM {self.prefix}{table.name} "
                f"WHERE {column} IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.extend(cur.fetchall())
        return found


def _rows(
    events: Events, known: dict[str, Facts], created: list[Row]
) -> tuple[list[tuple[Any, ...]], Events]:
    """The EVENTS columns of each event, in order, and the events whose aggregate's
    facts were not at hand (their rows lack them). A created event's facts are
    remembered and added to `created`. One pass: it runs once per event of a
    rebuild, so event_facts is inlined."""
    rows: list[tuple[Any, ...]] = []
    unknown: Events = []
    names = _NAMES
    for position, event in events:
        aggregate_id = str(event.originator_id)
        type_name, kind = names.get(type(event)) or describe(type(event))
        if event.originator_version == 1:
            facts = known[aggregate_id] = created_facts(event)
            created.append({"uuid": aggregate_id, "kind": facts.kind,
                            "station_id": facts.station_id,
                            "transaction_id": facts.transaction_id})  # fmt: skip
        else:
            facts = known.get(aggregate_id)
        station = txid = None
        if facts is not None:
            station, txid = facts.station_id, facts.transaction_id
        else:
            unknown.append((position, event))
        if txid is None:
            own = getattr(event, "transaction_id", None)
            txid = own if isinstance(own, int) else None
        operation = aggregate_id if kind == "operation" else None
        rows.append((position, utc_text(event.timestamp), type_name, kind, aggregate_id,
                     event.originator_version, station, txid, operation))  # fmt: skip
    return rows, unknown
