"""The notification ids a commit reports are the positions its events got in the log
(the follower applies our own commits by them without reading them back)."""

from __future__ import annotations

from typing import Any

from domain import commands as c
from ops.integrity import verify_integrity
from tests.ledger import Ledger


def _watch(ledger: Ledger) -> list[Any]:
    """Every recording a commit reports from now on (as the follower gets them)."""
    central, seen = ledger.central, []
    offer = central.on_recorded
    central.on_recorded = lambda recordings: (seen.extend(recordings), offer(recordings))  # type: ignore[func-returns-value,misc]
    return seen


def _assert_stored_positions(ledger: Ledger, seen: list[Any]) -> None:
    stored = {
        n.id: (n.originator_id, n.originator_version)
        for n in ledger.central.recorder.select_notifications(1, 10_000)
    }
    assert len(seen) == len(stored)
    for recording in seen:
        event = recording.domain_event
        assert stored[recording.notification.id] == (
            event.originator_id, event.originator_version)


def test_recorded_ids_are_the_stored_positions(database_url: str) -> None:
    with Ledger.open(database_url) as ledger:
        seen = _watch(ledger)
        ledger.handle(c.RegisterStation("CP-1"), c.UpsertIdTag("TAG", "Accepted"))
        ledger.central.handle_batch([
            c.RegisterStation("CP-2"), c.RegisterBoot("CP-1", "ACME", "X1"),
            c.StartTransaction("CP-1", 1, "TAG", 0, "2026-11-25T10:00:00Z"),
        ])  # fmt: skip
        assert len(seen) > 6
        _assert_stored_positions(ledger, seen)


def test_a_big_batch_gets_the_stored_positions_and_chains(database_url: str) -> None:
    """More events in one commit than one multi-row statement holds (SQLite): ids and
    hash chains stay those of the log (each station: created + registered events)."""
    with Ledger.open(database_url) as ledger:
        seen = _watch(ledger)
        ledger.central.handle_batch([c.RegisterStation(f"CP-{i}") for i in range(300)],
                                    optimistic=False)  # fmt: skip
        assert len(seen) >= 300
        _assert_stored_positions(ledger, seen)
        assert verify_integrity(ledger.db) == []
