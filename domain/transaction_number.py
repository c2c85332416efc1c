"""The TransactionNumber aggregate: maps an OCPP integer transactionId to its Transaction."""

from __future__ import annotations

import functools
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


class TransactionNumber(Aggregate):
    """An allocated transactionId; being an aggregate, it can be assigned only once."""

    class Assigned(Aggregate.Created):
        number: int
        transaction: UUID

    @staticmethod
    @functools.lru_cache(maxsize=65536)  # uuid5 per command adds up
    def create_id(number: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"/transaction-numbers/{number}")

    @event(Assigned)
    def __init__(self, number: int, transaction: UUID) -> None:
        self.number = number
        self.transaction = transaction
