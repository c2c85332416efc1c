"""SQLite: the writer's commits never checkpoint the WAL themselves (a checkpoint's
writes and fsync would sit inside a station's answer); the checkpointer does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapters.storage import eventstore
from adapters.storage.eventstore import eventsourcing_env
from domain import commands as c
from domain.application import CentralSystem
from tests.ledger import Ledger

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
