"""Side rows nobody waits for (journal, presence) ride with the next command's commit
instead of paying a commit of their own; alone, they are still committed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from adapters.storage.eventstore import eventsourcing_env
from adapters.storage.side_tables import JOURNAL_COLUMNS
from domain import commands
from domain.application import CentralSystem
from domain.writer import BatchStats, CommandWriter
from projections.database import open_database

WAIT = 10.0  # seconds; never slept, only an upper bound for a loaded machine


def _row(message_id: str) -> tuple[str, ...]:
    return ("CP-1", "in", "2026-12-04T10:00:00+00:00", "2", message_id, "Heartbeat", "[]")


class Commits:
    """The writer's on_commit hook: every batch, and an event per batch."""

    def __init__(self) -> None:
        self.batches: list[BatchStats] = []
        self.changed = threading.Condition()

    def __call__(self, stats: BatchStats) -> None:
        with self.changed:
            self.batches.append(stats)
            self.changed.notify_all()

    def wait_for(self, count: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.batches) >= count, WAIT)


@pytest.fixture
def central(database_url: str) -> Iterator[CentralSystem]:
    central = CentralSystem(eventsourcing_env(database_url))
    yield central
    central.close()


@contextmanager
def _running(central: CentralSystem, commits: Commits, delay: float) -> Iterator[CommandWriter]:
    writer = CommandWriter(central, on_commit=commits, side_rows_delay=delay)
    writer.start()
    try:
        yield writer
    finally:
        writer.stop()


def _journal(database_url: str) -> list[str]:
    db = open_database(database_url)
    try:
        rows = db.ledger.query(f"SELECT {JOURNAL_COLUMNS} FROM chargeledger_journal ORDER BY id")
        return [row["message_id"] for row in rows]
    finally:
        db.close()


def test_side_rows_wait_for_the_next_command_and_share_its_commit(
    central: CentralSystem, database_url: str
) -> None:
    commits = Commits()
    # A delay no test run reaches: the rows can only go out with the command.
    with _running(central, commits, delay=3600) as writer:
        writer.record([_row("h1"), _row("h2")], [("CP-1", None, "2026-12-04T10:00:00+00:00",
                                                    None)])  # fmt: skip
        writer.submit(commands.RegisterStation("CP-1")).result(WAIT)
        assert commits.wait_for(1)
    assert [(b.commands, b.side_rows) for b in commits.batches] == [(1, 3)]
    assert _journal(database_url) == ["h1", "h2"]


@pytest.mark.parametrize("delay", [0.01, 3600], ids=["after-the-delay", "at-stop"])
def test_side_rows_alone_are_committed(
    central: CentralSystem, database_url: str, delay: float
) -> None:
    commits = Commits()
    with _running(central, commits, delay) as writer:
        writer.record([_row("h1")])
        if delay < 1:
            assert commits.wait_for(1)  # while the writer runs, nobody asking
    assert [(b.commands, b.side_rows) for b in commits.batches] == [(0, 1)]
    assert _journal(database_url) == ["h1"]


def test_a_waiter_for_side_rows_is_not_kept_waiting(
    central: CentralSystem, database_url: str
) -> None:
    commits = Commits()
    with _running(central, commits, delay=3600) as writer:
        writer.record([_row("h1")])
        # Session ownership on connect: its caller waits, so the batch goes at once.
        writer.record_committed([_row("h2")], []).result(WAIT)
        assert commits.wait_for(1)
    assert [(b.commands, b.side_rows) for b in commits.batches] == [(0, 2)]
    assert _journal(database_url) == ["h1", "h2"]
