"""The SQL port (`projections.database`) on PostgreSQL, through a psycopg pool.

A module of its own so that SQLite-only processes never import psycopg.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import ConnectionPool

from projections.database import Row, to_pyformat


class _PostgresCursor:
    dialect = "postgresql"

    def __init__(
        self, cursor: psycopg.Cursor[Row], *, pipelined: bool = False
    ) -> None:
        self._cursor = cursor
        self._pipelined = pipelined
        self._unsynced = False  # writes sent in pipeline mode, results not yet read

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self._unsynced and sql.startswith("SELECT"):
            # A read after pipelined writes (a rebuild's batches: tens of thousands
            # of rows): psycopg 3.3 then sometimes hands the read's fetch an
            # INSERT's result ("the last operation didn't produce records"). A
            # nested pipeline syncs on exit: the writes' results are read first.
            with self._cursor.connection.pipeline():
                pass
            self._unsynced = False
        self._cursor.execute(to_pyformat(sql), params)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(to_pyformat(sql), rows)  # type: ignore[arg-type]
        self._unsynced = self._pipelined

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall()

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone()


class PostgresDatabase:
    """PostgreSQL through a psycopg pool (synchronous commit, the server default)."""

    dialect = "postgresql"

    def __init__(self, url: str, *, max_size: int = 4) -> None:
        self.url = url
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url, min_size=1, max_size=max_size, open=True,
            kwargs={"row_factory": dict_row, "autocommit": True},
        )  # fmt: skip

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[_PostgresCursor]:
        with self.pool.connection() as conn:
            # Redoable writes (projection batches) in pipeline mode: writes go out
            # without waiting for each answer (a read still waits for its rows); a
            # batch was a round trip per table. Not for DDL, whose statements then
            # report no rows to the fetch that follows them.
            with (nullcontext() if durable else conn.pipeline()), conn.transaction(), \
                    conn.cursor() as cur:
                if not durable:
                    cur.execute("SET LOCAL synchronous_commit = off")
                yield _PostgresCursor(cur, pipelined=not durable)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.pool.connection() as conn, conn.cursor() as cur:
            cur.execute(to_pyformat(sql), params)  # type: ignore[arg-type]
            return cur.fetchall()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(to_pyformat(sql), params)  # type: ignore[arg-type]
            return cur.fetchall()

    @property
    def ledger(self) -> PostgresDatabase:
        return self  # one database holds the events and the read models

    def close(self) -> None:
        self.pool.close()
