"""SQLite: the writer's commits never checkpoint the WAL themselves (a checkpoint's
writes and fsync would sit inside a station's answer); the checkpointer does, and
starts the WAL over under steady load. A new ledger's pages are small."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from adapters.storage import eventstore
from adapters.storage.eventstore import eventsourcing_env
from domain import commands as c
from domain.application import CentralSystem
from projections.database import open_database, sqlite_write_lock
from tests.ledger import WAIT, Ledger

PAGES = 1000  # SQLite's default auto-checkpoint threshold
PAGE = 4096


def test_commits_leave_the_wal_to_the_checkpointer(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(eventstore, "CHECKPOINT_INTERVAL", 3600.0)  # rounds by hand
    with Ledger.open(sqlite_url) as ledger:
        ledger.handle(c.RegisterStation("CP-1"))
        blob = os.urandom(30_000).hex()  # 60 kB of incompressible text
        ledger.handle(*(c.RecordDataTransfer("CP-1", "ACME", str(i), blob, "Accepted")
                        for i in range(100)))  # fmt: skip
        wal = Path(sqlite_url + "-wal")
        assert wal.stat().st_size > PAGES * PAGE  # the writer did not checkpoint

        checkpointer = ledger.central.factory.checkpointer  # type: ignore[attr-defined]
        busy, frames, copied = checkpointer.run_once()
        assert busy == 0 and frames > PAGES and copied == frames


def test_only_the_process_that_writes_the_ledger_checkpoints_it(sqlite_url: str) -> None:
    writer = CentralSystem(eventsourcing_env(sqlite_url))
    reader = CentralSystem(eventsourcing_env(sqlite_url, create_table=False))
    try:
        assert writer.factory.checkpointer is not None  # type: ignore[attr-defined]
        assert reader.factory.checkpointer is None  # type: ignore[attr-defined]
    finally:
        reader.close()
        writer.close()


def test_a_ledger_written_without_pause_still_starts_its_wal_over(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under steady load a commit lands during every round, so no round alone ever
    finds the whole WAL copied; past WAL_RESET_FRAMES a round finishes under the
    write lock, and the next commit starts the WAL over."""
    monkeypatch.setattr(eventstore, "CHECKPOINT_INTERVAL", 3600.0)  # rounds by hand
    monkeypatch.setattr(eventstore, "WAL_RESET_FRAMES", 200)
    monkeypatch.setattr(eventstore, "WAL_RESET_SPACING", 0.0)
    central = CentralSystem(eventsourcing_env(sqlite_url))
    central.handle(c.RegisterStation("CP-1"))
    blob = os.urandom(8_000).hex()  # about five pages a commit
    stop = threading.Event()
    commits = 0

    def write_without_pause() -> None:
        nonlocal commits
        while not stop.is_set():
            central.handle(c.RecordDataTransfer("CP-1", "ACME", str(commits), blob,
                                                "Accepted"))  # fmt: skip
            commits += 1

    writer = threading.Thread(target=write_without_pause)
    writer.start()
    checkpointer = central.factory.checkpointer  # type: ignore[attr-defined]
    wal = Path(sqlite_url + "-wal")
    try:
        busy, frames, copied = checkpointer.run_once()
        while frames < 200:  # rounds as the thread would run them, copying as it goes
            busy, frames, copied = checkpointer.run_once()
        assert busy == 0 and copied == frames  # all of it: the writer waited
        # The next commit starts the WAL over, unless a reader's snapshot held it
        # back just then: the checkpointer's later rounds try again.
        started = wal_generation(wal)
        for _ in range(20):
            started_over = commits + 2  # the commit under way may predate the pass
            while commits < started_over:
                pass
            if wal_generation(wal) > started:
                break
            checkpointer.run_once()
        assert wal_generation(wal) > started
    finally:
        stop.set()
        writer.join()
        central.close()


def test_a_wal_started_over_is_cut_back(sqlite_url: str) -> None:
    central = CentralSystem(eventsourcing_env(sqlite_url))
    try:
        datastore = central.factory.datastore  # type: ignore[attr-defined]
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA journal_size_limit")
            assert cursor.fetchone()[0] == eventstore.WAL_SIZE_LIMIT
    finally:
        central.close()


def wal_generation(wal: Path) -> int:
    """The WAL header's checkpoint sequence number: one more each time it starts over."""
    with wal.open("rb") as file:
        return int.from_bytes(file.read(16)[12:16], "big")


def test_the_writer_waits_for_a_checkpoint_at_most_once_per_spacing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each pass under the write lock stalls the commits behind it (the slowest
    batches of a benchmark run were those), so a WAL that readers keep from
    starting over is not tried again at every round."""
    monkeypatch.setattr(eventstore, "CHECKPOINT_INTERVAL", 3600.0)  # rounds by hand
    monkeypatch.setattr(eventstore, "WAL_RESET_FRAMES", 1)
    monkeypatch.setattr(eventstore, "WAL_RESET_SPACING", 3600.0)
    central = CentralSystem(eventsourcing_env(sqlite_url))
    try:
        checkpointer = central.factory.checkpointer  # type: ignore[attr-defined]
        central.handle(c.RegisterStation("CP-1"))
        checkpointer.run_once()  # the first pass under the lock
        central.handle(c.RegisterStation("CP-2"))
        with sqlite_write_lock(sqlite_url):  # a commit under way
            second = threading.Thread(target=checkpointer.run_once)
            second.start()
            second.join(WAIT)  # bounds a hang; it returns at once when right
            assert not second.is_alive()  # it did not wait for the lock
    finally:
        central.close()


def page_size(path: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])


@pytest.mark.parametrize("first", ["ledger", "read_side"])
def test_a_new_ledger_has_small_pages(sqlite_url: str, first: str) -> None:
    """Every page a commit touches goes whole into the WAL: small pages, fewer bytes
    to write and fsync per command. Whichever side opens a new file first."""
    db = open_database(sqlite_url)
    if first == "read_side":
        db.ledger.query("SELECT 1")  # the read side's connection makes the file
    with Ledger.open(sqlite_url) as ledger:
        ledger.handle(c.RegisterStation("CP-1"))
    db.close()
    assert page_size(sqlite_url) == 1024
    assert page_size(sqlite_url + "-views") == 4096  # views keep SQLite's default


def test_a_ledger_made_with_other_pages_keeps_them(sqlite_url: str) -> None:
    with closing(sqlite3.connect(sqlite_url)) as conn:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE made_before (x)")
    with Ledger.open(sqlite_url) as ledger:
        ledger.handle(c.RegisterStation("CP-1"))
        assert ledger.central.find_station("CP-1") is not None
    assert page_size(sqlite_url) == 4096
