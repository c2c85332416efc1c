"""An identity map over the repository for one batch of commands saved together,
backed by the writer's own cache of committed aggregates."""

from __future__ import annotations

import queue
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from eventsourcing.application import Repository

A = TypeVar("A", bound=Aggregate)


class WriterCache:
    """Aggregates as the last commit left them, owned by the single writer thread.

    Loading an aggregate per command (a query, a deep copy) was the writer's main
    cost. Another node's commit makes an entry stale: our next save of it then fails
    its version check and the batch is retried from fresh loads; `invalidate()` (fed
    from the event log by the projection follower) bounds how long a read-only
    decision can use a stale entry.
    """

    def __init__(self, maxsize: int = 100_000) -> None:
        self.maxsize = maxsize
        # A plain dict keeps insertion order: take() pops, keep() appends, so the
        # first entry is the least recently used.
        self._entries: dict[UUID, Aggregate] = {}
        self._stale: queue.SimpleQueue[tuple[UUID, int]] = queue.SimpleQueue()

    def __contains__(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._entries

    def take(self, aggregate_id: UUID) -> Aggregate | None:
        return self._entries.pop(aggregate_id, None)

    def keep(self, aggregates: list[Aggregate]) -> None:
        entries = self._entries
        for aggregate in aggregates:
            entries.pop(aggregate.id, None)
            entries[aggregate.id] = aggregate
        while len(entries) > self.maxsize:
            del entries[next(iter(entries))]

    def invalidate(self, aggregate_id: UUID, version: int) -> None:
        """Any thread: an event of this version was committed (by any node)."""
        self._stale.put((aggregate_id, version))

    def drop_stale(self) -> None:
        while True:
            try:
                aggregate_id, version = self._stale.get_nowait()
            except queue.Empty:
                return
            cached = self._entries.get(aggregate_id)
            if cached is not None and cached.version < version:
                del self._entries[aggregate_id]


class UnitOfWork:
    """Commands in one batch see each other's changes; one save() commits them all."""

    def __init__(
        self,
        repository: Repository[UUID],
        cache: WriterCache | None = None,
        *,
        optimistic: bool = False,
        absent: frozenset[UUID] = frozenset(),
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._optimistic = optimistic
        self._absent = absent  # just read and not found: no query to learn it again
        self._aggregates: dict[UUID, Aggregate | None] = {}

    def get(self, cls: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id not in self._aggregates:
            self._aggregates[aggregate_id] = self._load(aggregate_id)
        found = self._aggregates[aggregate_id]
        if found is not None and not isinstance(found, cls):
            raise TypeError(f"{aggregate_id} is a {type(found).__name__}")
        return found

    def find_new(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Like get(), but when optimistic an aggregate that is neither in this batch
        nor cached is taken not to exist (see CentralSystem.handle_batch)."""
        cached = self._cache is not None and aggregate_id in self._cache
        if self._optimistic and aggregate_id not in self._aggregates and not cached:
            return None
        return self.get(cls, aggregate_id)

    def _load(self, aggregate_id: UUID) -> Aggregate | None:
        cached = self._cache.take(aggregate_id) if self._cache else None
        if cached is not None or aggregate_id in self._absent:
            return cached
        try:
            return self._repository.get(aggregate_id)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def add(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate

    def changed(self) -> list[Aggregate]:
        return [a for a in self._aggregates.values() if a is not None]

    def committed(self) -> None:
        """The batch is durable: its aggregates are the new committed state."""
        if self._cache is not None:
            self._cache.keep(self.changed())
