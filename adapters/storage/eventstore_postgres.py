"""eventsourcing's PostgreSQL recorder with the side tables in the same commit.

Named by `eventsourcing_env` (adapters.storage.eventstore) for PostgreSQL URLs; a
module of its own so that SQLite processes never import psycopg.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL

from adapters.storage import histories, integrity
from adapters.storage import side_tables as side
from adapters.storage.eventstore import write_side_tables
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

    def read_histories(
        self, ids: Sequence[UUID], snapshots_table: str | None
    ) -> histories.Histories:
        return histories.read_postgres(self, ids, snapshots_table)

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
            return to_pyformat(side.qualify(statement, schema))

        def many(cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
            cursor.executemany(sql(statement), rows)

        self.chain.write_links(curs, sql, many, stored_events)
        write_side_tables(curs, many, kwargs)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        self.chain.committed()
        return ids


class LedgerPostgresFactory(PostgresFactory):
    application_recorder_class = LedgerPostgresRecorder
