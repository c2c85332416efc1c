"""The notification ids a commit reports are the positions its events got in the log
(the follower applies our own commits by them without reading them back)."""

from __future__ import annotations

from typing import Any

from domain import commands as c
from tests.ledger import Ledger


def test_recorded_ids_are_the_stored_positions(database_url: str) -> None:
    with Ledger.open(database_url) as ledger:
        central = ledger.central
        seen: list[Any] = []
        offer = central.on_recorded
        central.on_recorded = lambda recordings: (seen.extend(recordings), offer(recordings))  # type: ignore[func-returns-value,misc]
        ledger.handle(c.RegisterStation("CP-1"), c.UpsertIdTag("TAG", "Accepted"))
        central.handle_batch([
            c.RegisterStation("CP-2"), c.RegisterBoot("CP-1", "ACME", "X1"),
            c.StartTransaction("CP-1", 1, "TAG", 0, "2026-11-25T10:00:00Z"),
        ])  # fmt: skip
        stored = {
            n.id: (n.originator_id, n.originator_version)
            for n in central.recorder.select_notifications(1, 1000)
        }
        assert len(seen) == len(stored) > 6
        for recording in seen:
            event = recording.domain_event
            assert stored[recording.notification.id] == (
                event.originator_id, event.originator_version)
