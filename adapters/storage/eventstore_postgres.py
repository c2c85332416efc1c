"""eventsourcing's PostgreSQL recorder with the side tables in the same commit.

Named by `eventsourcing_env` (adapters.storage.eventstore) for PostgreSQL URLs; a
module of its own so that SQLite processes never import psycopg.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from adapters.storage import histories, integrity
from adapters.storage import side_tables as side
from adapters.storage.eventstore import write_side_tables
from projections.bulk import MARK, values_group
from projections.database import to_pyformat


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chain = integrity.ChainHeads()
        schema = self.datastore.schema
        self.sql_create_statements.extend(
            SQL(side.qualify(s, schema))  # type: ignore[misc]
            for s in side.ddl("postgresql")
        )
        # eventsourcing inserts an unnest of a composite-type array, which psycopg
        # writes as escaped text (regular expressions per field, a tenth of a commit's
        # client time); four plain arrays carry the same rows.
        self.insert_event_arrays = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, "
            "state) SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], "
            "%b::bytea[]) RETURNING notification_id"
        ).format(schema=Identifier(schema), table=Identifier(self.events_table_name))

    def read_histories(
        self, ids: Sequence[UUID], snapshots_table: str | None
    ) -> histories.Histories:
        return histories.read_postgres(self, ids, snapshots_table)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        # The table lock was taken in _insert_events, before the chain heads were read.
        self._notify_channel(curs)
        curs.execute(self.insert_event_arrays, (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events], [e.state for e in stored_events],
        ), prepare=True)  # fmt: skip

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        if stored_events:
            # Take the event table's lock before reading chain heads, so nodes
            # extend each aggregate's chain one after another.
            self._lock_table(curs)
        schema = self.datastore.schema

        def sql(statement: str) -> str:
            return to_pyformat(_qualified(statement, schema))

        def many(_: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
            # One statement per table and commit, its rows as one array per column:
            # in pipeline mode each statement costs a round of psycopg's wait()
            # (two thirds of a small batch's time), and a multi-row VALUES went out
            # in power-of-two chunks, ~4 statements a table. Keys within a statement
            # are unique (heads per aggregate, presence merged per station), as an
            # upsert of many rows needs.
            if rows:
                columns = [list(column) for column in zip(*rows, strict=True)]
                query = unnested(statement, side.COLUMN_TYPES[statement], schema)
                curs.execute(query, columns, prepare=True)

        self.chain.write_links(curs, sql, many, stored_events)
        write_side_tables(curs, many, kwargs)
        if snapshots := kwargs.get("snapshots"):  # the snapshot store's own insert
            snapshots.recorder._insert_stored_events(curs, snapshots.rows)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        self.chain.committed()
        return ids


@lru_cache(maxsize=64)
def _qualified(statement: str, schema: str) -> str:
    return side.qualify(statement, schema)


@lru_cache(maxsize=64)
def unnested(statement: str, types: tuple[str, ...], schema: str) -> str:
    """`INSERT … VALUES (?, 1, ?) …` as `INSERT … SELECT c0, 1, c1 FROM unnest(%b::t[],
    %b::t[]) AS u(c0, c1) …`, the `?` marks' PostgreSQL types in `types`."""
    names = [f"c{i}" for i in range(len(types))]
    found = values_group(statement)
    marks = iter(names)
    picked = MARK.sub(lambda _: next(marks), found.group(1)[1:-1])
    arrays = ", ".join(f"%b::{kind}[]" for kind in types)  # binary: no escaping
    select = f"SELECT {picked} FROM unnest({arrays}) AS u({', '.join(names)})"
    return _qualified(statement[: found.start()] + select + statement[found.end() :],
                      schema)  # fmt: skip


class LedgerPostgresFactory(PostgresFactory):
    application_recorder_class = LedgerPostgresRecorder
