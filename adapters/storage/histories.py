"""Many aggregates' stored histories in two queries per chunk: the newest snapshot of
each, then the events after it. The writer loads the aggregates a batch needs and
does not hold this way (a boot storm: hundreds of stations per batch), instead of a
query or two per aggregate inside the single writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

Histories = dict[UUID, tuple[StoredEvent | None, list[StoredEvent]]]
CHUNK = 400  # ids per statement: two parameters each, under SQLite's 32,766


def read_sqlite(
    recorder: Any, ids: Sequence[UUID], snapshots_table: str | None
) -> Histories:
    histories: Histories = {}
    with recorder.datastore.transaction(commit=False) as c:
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            snapshots: dict[UUID, StoredEvent] = {}
            if snapshots_table:
                # SQLite takes bare columns from the row holding the MAX().
                c.execute(
                    "SELECT originator_id, MAX(originator_version), topic, state "
                    f"FROM {snapshots_table} WHERE originator_id IN ({marks}) "
                    "GROUP BY originator_id", [i.hex for i in chunk],
                )  # fmt: skip
                snapshots = _stored(c.fetchall())
            after = [(i.hex, snapshots[i].originator_version if i in snapshots else 0)
                     for i in chunk]  # fmt: skip
            pairs = ", ".join("(?, ?)" for _ in after)
            c.execute(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                f"FROM {recorder.events_table_name} e JOIN (VALUES {pairs}) w "
                "ON e.originator_id = w.column1 AND e.originator_version > w.column2 "
                "ORDER BY e.originator_id, e.originator_version",
                [value for pair in after for value in pair],
            )  # fmt: skip
            _gather(histories, snapshots, c.fetchall())
    return histories


def read_postgres(
    recorder: Any, ids: Sequence[UUID], snapshots_table: str | None
) -> Histories:
    schema = recorder.datastore.schema
    events_table = f"{schema}.{recorder.events_table_name}" if schema else recorder.events_table_name
    histories: Histories = {}
    with recorder.datastore.get_connection() as conn, conn.cursor() as c:
        for chunk in _chunks(ids):
            snapshots: dict[UUID, StoredEvent] = {}
            if snapshots_table:
                table = f"{schema}.{snapshots_table}" if schema else snapshots_table
                c.execute(
                    "SELECT DISTINCT ON (originator_id) originator_id, originator_version, "
                    f"topic, state FROM {table} WHERE originator_id = ANY(%s) "
                    "ORDER BY originator_id, originator_version DESC", (list(chunk),),
                )  # fmt: skip
                snapshots = _stored(_values(c.fetchall()))
            after = [(i, snapshots[i].originator_version if i in snapshots else 0)
                     for i in chunk]  # fmt: skip
            c.execute(
                "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                f"FROM {events_table} e JOIN unnest(%s::uuid[], %s::int[]) AS w(id, v) "
                "ON e.originator_id = w.id AND e.originator_version > w.v "
                "ORDER BY e.originator_id, e.originator_version",
                ([i for i, _ in after], [v for _, v in after]),
            )  # fmt: skip
            _gather(histories, snapshots, _values(c.fetchall()))
    return histories


def _chunks(ids: Sequence[UUID]) -> Iterator[Sequence[UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _values(rows: Iterable[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in rows]


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def _stored_event(row: Sequence[Any]) -> StoredEvent:
    return StoredEvent(_uuid(row[0]), int(row[1]), row[2], bytes(row[3]))


def _stored(rows: Iterable[Sequence[Any]]) -> dict[UUID, StoredEvent]:
    stored = (_stored_event(r) for r in rows)
    return {s.originator_id: s for s in stored}


def _gather(
    histories: Histories, snapshots: dict[UUID, StoredEvent], rows: Iterable[Sequence[Any]]
) -> None:
    for originator_id, snapshot in snapshots.items():
        histories[originator_id] = (snapshot, [])
    for r in rows:
        event = _stored_event(r)
        histories.setdefault(event.originator_id, (None, []))[1].append(event)
