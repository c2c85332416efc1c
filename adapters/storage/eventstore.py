"""eventsourcing infrastructure for both stores, with the side tables in the same commit.

`PERSISTENCE_MODULE` names the factories below (PostgreSQL's in
`adapters.storage.eventstore_postgres`), so the library builds our recorders.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from eventsourcing.persistence import InterfaceError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
)

from adapters.storage import histories, integrity
from adapters.storage import side_tables as side
from projections.bulk import execute_values
from projections.database import LEDGER_PAGE_SIZE, sqlite_path, sqlite_write_lock

log = logging.getLogger(__name__)
CHECKPOINT_INTERVAL = 0.5  # seconds: about 1,000 pages of WAL at full load
# Past this many WAL frames (256 MiB of 4 KiB pages) a round ends with a short pass
# under the write lock, at most every WAL_RESET_SPACING seconds (the writer waits
# for it: 1-22 ms at 2,300 msgs/s, and its next commits are slower), so the next
# commit starts the WAL over; the file is then cut back to WAL_SIZE_LIMIT bytes.
WAL_RESET_FRAMES = 65_536
WAL_RESET_SPACING = 30.0
WAL_SIZE_LIMIT = 64 * 1024 * 1024
STATEMENT_CACHE = 256  # prepared statements per connection (multi-row sizes too)
CHECKPOINTS = "LEDGER_CHECKPOINTS"  # env: "n" in processes that only read the ledger


# Writes rows with one `?` statement, many rows per statement (see projections.bulk).
Many = Callable[[Any, str, Sequence[Sequence[Any]]], None]


def write_side_tables(cursor: Any, many: Many, kwargs: dict[str, Any]) -> None:
    if journal := kwargs.get("journal"):
        many(cursor, side.INSERT_JOURNAL, journal)
    if presence := kwargs.get("presence"):
        for statement, rows in side.presence_writes(presence):
            if rows:
                many(cursor, statement, rows)


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chain = integrity.ChainHeads()
        self.write_lock = sqlite_write_lock(self.datastore.pool.db_name)

    def read_histories(
        self, ids: Sequence[UUID], snapshots_table: str | None
    ) -> histories.Histories:
        return histories.read_sqlite(self, ids, snapshots_table)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.write_lock:
            ids = super().insert_events(stored_events, **kwargs)
            self.chain.committed()
            return ids

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *side.ddl("sqlite")]

    def _insert_stored_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]
    ) -> list[int]:
        """Multi-row inserts, where eventsourcing runs an execute per event to read
        each rowid: under the write lock, the rows of one transaction get consecutive
        rowids ending at the last statement's lastrowid."""
        if not stored_events:
            return []
        execute_values(c, self.insert_events_statement, [
            (integrity.hex_id(s.originator_id), s.originator_version, s.topic, s.state)
            for s in stored_events
        ])  # fmt: skip
        last = c.lastrowid  # of the last statement: its last row
        return list(range(last - len(stored_events) + 1, last + 1))

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = self._insert_stored_events(c, stored_events)
        self.chain.write_links(c, str, execute_values, stored_events)
        write_side_tables(c, execute_values, kwargs)
        if snapshots := kwargs.get("snapshots"):  # the snapshot store's own insert
            snapshots.recorder._insert_events(c, snapshots.rows)
        return ids


class LockedSQLiteAggregateRecorder(SQLiteAggregateRecorder):
    """The snapshot store: takes the same in-process write lock as the events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_lock = sqlite_write_lock(self.datastore.pool.db_name)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.write_lock:
            return super().insert_events(stored_events, **kwargs)


class DurableSQLiteConnectionPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        # eventsourcing opens with cached_statements=True, a cache of one statement:
        # every other statement of a commit was parsed again, giving up the GIL to do
        # it. Otherwise as there: autocommit (explicit BEGIN), WAL, rows by name.
        try:
            conn = sqlite3.connect(
                self.db_name, uri=True, check_same_thread=False, isolation_level=None,
                cached_statements=STATEMENT_CACHE, timeout=self.lock_timeout or 30,
            )  # fmt: skip
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        conn.execute(LEDGER_PAGE_SIZE)  # before WAL: a new file's header says it
        if not self.is_sqlite_memory_mode:
            conn.execute("PRAGMA journal_mode=WAL")
            self.is_journal_mode_wal = True
        conn.row_factory = sqlite3.Row
        # Ack after commit must survive kill -9 and power loss: fsync each commit.
        conn.execute("PRAGMA synchronous=FULL")
        # The Checkpointer moves the WAL into the file, not the commit that crosses
        # 1,000 pages (a checkpoint's writes and fsync inside a station's answer).
        conn.execute("PRAGMA wal_autocheckpoint=0")
        # A WAL started over is cut back to this size (it is never shrunk otherwise).
        conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        return SQLiteConnection(sqlite_conn=conn, max_age=self.max_age)


class Checkpointer:
    """Copies committed WAL pages into the database file from its own thread, so no
    station waits for it. PASSIVE never blocks the writer; it does what readers
    allow and the next round does the rest.

    SQLite starts the WAL over only at a commit that finds every frame copied, and
    under steady load a commit always lands while a round copies: the WAL grew
    without end (1.1 GB after a 20 s benchmark). So once it holds WAL_RESET_FRAMES,
    a round copies what came in meanwhile again under the ledger's write lock; the
    writer waits for those few frames and an fsync, then starts the WAL over (if
    no reader holds an older snapshot then; else a later round tries again)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._write_lock = sqlite_write_lock(path)
        self._last_reset = float("-inf")
        self._interval = CHECKPOINT_INTERVAL
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.run_once()
        self.run_once()

    def run_once(self) -> tuple[int, int, int] | None:
        """One PASSIVE round: (busy, WAL frames, frames copied), None if skipped."""
        result = self._checkpoint()
        due = time.monotonic() - self._last_reset >= WAL_RESET_SPACING
        if result is not None and result[1] >= WAL_RESET_FRAMES and due:
            self._last_reset = time.monotonic()
            # No commit adds frames meanwhile, nor begins before this connection
            # is closed (a commit that begins while it holds its read lock keeps
            # appending instead of starting over).
            with self._write_lock:
                result = self._checkpoint()
        return result

    def _checkpoint(self) -> tuple[int, int, int] | None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None)
            try:
                row: tuple[int, int, int] = conn.execute(
                    "PRAGMA wal_checkpoint(PASSIVE)"
                ).fetchone()
                return row
            finally:
                conn.close()
        except sqlite3.Error:  # the file is busy or going away: next round
            log.debug("checkpoint skipped", exc_info=True)
            return None

    def close(self) -> None:
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=30)


class LedgerSQLiteFactory(SQLiteFactory):
    application_recorder_class = LedgerSQLiteRecorder
    aggregate_recorder_class = LockedSQLiteAggregateRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        self.datastore.pool = DurableSQLiteConnectionPool(
            db_name=pool.db_name, lock_timeout=pool.lock_timeout or 30
        )
        # One checkpointer per ledger: the writing process's. Every read-only
        # process (the server's, the projections') ran one too, three rounds of
        # copying and fsyncing the file every half second beside the writer's commits.
        self.checkpointer = (
            Checkpointer(pool.db_name) if env.get(CHECKPOINTS) != "n" else None
        )

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        super().close()


def eventsourcing_env(database_url: str, *, create_table: bool = True) -> dict[str, str]:
    """The explicit env handed to CentralSystem, so nothing depends on os.environ."""
    env = {
        "CREATE_TABLE": "y" if create_table else "n",
        CHECKPOINTS: "y" if create_table else "n",  # who creates the tables writes
        # Aggregates are read back by every command: keep them cached, and let
        # fast-forward fetch events other nodes appended since.
        "AGGREGATE_CACHE_MAXSIZE": "100000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "MAPPER_TOPIC": "adapters.storage.codec:LedgerMapper",
    }
    if not database_url.startswith(("postgresql://", "postgres://")):
        env["PERSISTENCE_MODULE"] = f"{__name__}:LedgerSQLiteFactory"
        env["SQLITE_DBNAME"] = sqlite_path(database_url)
        return env
    parts = urlsplit(database_url)
    options = parse_qs(parts.query).get("options", [""])[0]
    schema = options.split("search_path=", 1)[1].split()[0] if "search_path=" in options else ""
    env.update(
        # Its own module: SQLite processes do not import psycopg.
        PERSISTENCE_MODULE="adapters.storage.eventstore_postgres:LedgerPostgresFactory",
        POSTGRES_DBNAME=parts.path.lstrip("/") or "postgres",
        POSTGRES_HOST=parts.hostname or "127.0.0.1",
        POSTGRES_PORT=str(parts.port or 5432),
        POSTGRES_USER=unquote(parts.username or "postgres"),
        POSTGRES_PASSWORD=unquote(parts.password or ""),
        POSTGRES_SCHEMA=schema,
        POSTGRES_POOL_SIZE="4",
        POSTGRES_MAX_OVERFLOW="4",
        POSTGRES_LOCK_TIMEOUT="10",
    )
    return env
