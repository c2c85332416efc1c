"""Snapshots whose state survives the JSON store, so big aggregates load fast.

A station reporting statuses for years, or a fleet tag used every day, has a long
event stream; a snapshot every SNAPSHOT_INTERVAL events bounds what a cold load
reads (ARCHITECTURE.md §9). JSON turns int dict keys into strings and tuples into
lists: aggregates that care restore their own shapes in `restore_snapshot_state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import BaseAggregate, Snapshot
from eventsourcing.persistence import StoredEvent, Transcoding

from domain.dedup import RecentDigests

SNAPSHOT_INTERVAL = 100


@dataclass(frozen=True)
class Snapshots:
    """Snapshot rows due with a batch, for the event recorder to write in the same
    transaction through the snapshot store's own recorder."""

    recorder: Any
    rows: list[StoredEvent]


@dataclass(frozen=True)
class PortableSnapshot(Snapshot):
    def mutate(self, _: None) -> BaseAggregate[UUID]:
        aggregate = super().mutate(_)
        restore = getattr(aggregate, "restore_snapshot_state", None)
        if restore is not None:
            restore()
        return aggregate


class RecentDigestsAsList(Transcoding):
    type = RecentDigests
    name = "recent_digests"

    def encode(self, obj: RecentDigests) -> list[str]:
        return obj.as_list()

    def decode(self, data: Any) -> RecentDigests:
        return RecentDigests(data)
