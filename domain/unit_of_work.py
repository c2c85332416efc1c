"""An identity map over the repository for one batch of commands saved together."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from eventsourcing.application import Repository

A = TypeVar("A", bound=Aggregate)


class UnitOfWork:
    """Commands in one batch see each other's changes; one save() commits them all."""

    def __init__(self, repository: Repository[UUID]) -> None:
        self._repository = repository
        self._aggregates: dict[UUID, Aggregate | None] = {}

    def get(self, cls: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id not in self._aggregates:
            try:
                self._aggregates[aggregate_id] = self._repository.get(aggregate_id)
            except AggregateNotFoundError:
                self._aggregates[aggregate_id] = None
        found = self._aggregates[aggregate_id]
        if found is not None and not isinstance(found, cls):
            raise TypeError(f"{aggregate_id} is a {type(found).__name__}")
        return found

    def add(self, aggregate: Aggregate) -> None:
        self._aggregates[aggregate.id] = aggregate

    def changed(self) -> list[Aggregate]:
        return [a for a in self._aggregates.values() if a is not None]
