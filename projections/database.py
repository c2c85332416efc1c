"""One small SQL port for both stores, so each read model is written once.

Statements are written with `?` placeholders and portable SQL (upserts with
ON CONFLICT work on SQLite ≥ 3.24 and PostgreSQL); PostgreSQL gets `%s`. The
PostgreSQL side is `projections.postgres_database`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from projections.bulk import execute_values

Row = dict[str, Any]


class Cursor(Protocol):
    dialect: str  # as its Database's: "sqlite" | "postgresql"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def fetchall(self) -> list[Row]: ...
    def fetchone(self) -> Row | None: ...


class Database(Protocol):
    dialect: str  # "sqlite" | "postgresql"

    # A context manager yielding a Cursor. durable=False skips the fsync of the commit,
    # for writes that can be redone after a crash (read models with their tracking).
    def transaction(self, *, durable: bool = True) -> Any: ...
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...
    # Plain tuples, for reads of many rows (a dict per row costs more than the read).
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def close(self) -> None: ...

    @property
    def ledger(self) -> Database:
        """The same port on the store of the events themselves (rows that must
        never be rebuilt, such as the transaction id counter)."""
        ...


class _SqliteCursor:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._cursor = conn.cursor()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if sql.startswith("INSERT"):  # many rows a statement (projections.bulk)
            execute_values(self._cursor, sql, rows)
        else:
            self._cursor.executemany(sql, rows)

    def fetchall(self) -> list[Row]:
        return [dict(r) for r in self._cursor.fetchall()]

    def fetchone(self) -> Row | None:
        row = self._cursor.fetchone()
        return dict(row) if row is not None else None


_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()


def sqlite_write_lock(path: str) -> threading.Lock:
    """One lock per SQLite file for every writer in this process.

    SQLite admits one writer at a time; a connection that finds the file locked
    sleeps in growing steps (up to 100 ms) before it retries. Taking turns on a
    Python lock hands the file over at once instead: the event writer and the
    projection follower would otherwise add those sleeps to station answers."""
    key = os.path.realpath(path)
    with _write_locks_guard:
        return _write_locks.setdefault(key, threading.Lock())


class SqliteDatabase:
    """The read side of a SQLite ledger, one connection per thread.

    Read models and their tracking live in their own file beside the ledger
    (`views_path`), with the ledger attached read-only: the projection follower and
    the event writer then never wait for each other's write lock, and the views file
    can be deleted to have every read model rebuilt. Unqualified table names resolve
    in both files, so queries read presence and the journal as before. `ledger` is
    the same port on the ledger file itself, for the few rows kept with the events."""

    dialect = "sqlite"

    def __init__(
        self, path: str, *, views: bool = True, scratch: str | None = None
    ) -> None:
        self.path = path  # the ledger file
        self._views = views
        # `scratch`: a disposable file in place of the views file (one part of a
        # parallel rebuild): no journal and no fsync, as nothing survives a failure.
        self._scratch = scratch is not None
        self._file = scratch or (views_path(path) if views else path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = sqlite_write_lock(self._file)

    @cached_property
    def ledger(self) -> SqliteDatabase:
        return SqliteDatabase(self.path, views=False) if self._views else self

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_sqlite(self._file, attach=self.path if self._views else None,
                                  disposable=self._scratch,
                                  ledger=not (self._views or self._scratch))  # fmt: skip
            if not self._views:  # the ledger's Checkpointer does it, off the writer
                conn.execute("PRAGMA wal_autocheckpoint=0")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[_SqliteCursor]:
        conn = self._connection()
        durable = durable or self._scratch  # nothing to relax: never fsynced
        with self._write_lock:
            if not durable:  # WAL + NORMAL: still atomic, fsynced at checkpoints only
                conn.execute("PRAGMA synchronous=NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield _SqliteCursor(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                if not durable:
                    conn.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def attached(self, path: str, schema: str) -> Iterator[None]:
        """Another SQLite file readable as `schema.table` on this thread's
        connection (SQLite attaches only outside a transaction)."""
        if not schema.isidentifier():  # spliced into SQL
            raise ValueError(f"invalid schema name {schema!r}")
        conn = self._connection()
        conn.execute("ATTACH DATABASE ? AS " + schema, (_uri(path) + "?mode=ro",))
        try:
            yield
        finally:
            conn.execute("DETACH DATABASE " + schema)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = _SqliteCursor(self._connection())
        cursor.execute(sql, params)
        return cursor.fetchall()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._connection().cursor()
        cursor.row_factory = None  # tuples
        return cursor.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
        if self._views and "ledger" in self.__dict__:
            self.ledger.close()


# A ledger's pages: SQLite writes every page a commit touches whole into its WAL,
# and a commit touches a page per aggregate in each of the events' key index, the
# hash links and the heads, and per station in the journal's index and presence:
# ~9 pages a command. At 1 KiB instead of 4 KiB a command wrote 9 instead of 36 KiB
# and at 2,480 msgs/s the p99 of every write fell from 27-40 to 11-15 ms (fifth pass,
# docs/performance.md). It takes effect only when the file is made; a ledger made
# before keeps its page size (README: how to convert one).
LEDGER_PAGE_SIZE = "PRAGMA page_size=1024"


def views_path(ledger_path: str) -> str:
    """Where the read models of a SQLite ledger live: beside it, like its -wal file."""
    return ledger_path + "-views"


def connect_sqlite(
    path: str, *, attach: str | None = None, disposable: bool = False,
    ledger: bool = False,
) -> sqlite3.Connection:  # fmt: skip
    conn = sqlite3.connect(_uri(path), isolation_level=None, check_same_thread=False,
                           timeout=30, uri=True)  # fmt: skip
    conn.row_factory = sqlite3.Row
    if ledger:
        conn.execute(LEDGER_PAGE_SIZE)
    if disposable:  # a scratch file only its builder uses, deleted if it fails
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
    else:
        conn.execute("PRAGMA journal_mode=WAL")
        # Ack after commit means survive kill -9 and power loss: fsync every commit.
        conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    if attach is not None:
        if not Path(attach).exists():  # a fresh install: the ledger is made empty
            sqlite3.connect(attach).close()
        # Read-only: BEGIN IMMEDIATE would otherwise take the ledger's lock too.
        conn.execute("ATTACH DATABASE ? AS ledger", (_uri(attach) + "?mode=ro",))
    return conn


def _uri(path: str) -> str:
    return "file:" + quote(str(Path(path).absolute()))


_converted: dict[str, str] = {}


def to_pyformat(sql: str) -> str:
    """`?` → `%s` (our statements never contain a literal `?` or `%`)."""
    if sql not in _converted:
        _converted[sql] = sql.replace("?", "%s")
    return _converted[sql]


def open_database(url: str) -> Database:
    if url.startswith(("postgresql://", "postgres://")):
        # Imported here: psycopg (with asyncio) is a tenth of a second of start-up
        # that SQLite processes, such as a rebuild's workers, do not need.
        from projections.postgres_database import PostgresDatabase

        return PostgresDatabase(url)
    return SqliteDatabase(sqlite_path(url))


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
