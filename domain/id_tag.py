"""The IdTag aggregate: an RFID card or app token, its status and its open transactions."""

from __future__ import annotations

import functools
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.results import IdTagInfo

STATUSES = ("Accepted", "Blocked", "Expired", "Invalid")


class IdTag(Aggregate):
    """An identifier a driver presents; compared case-insensitively (E16 §3.73)."""

    class Issued(Aggregate.Created):
        id_tag: str

    class Updated(Aggregate.Event):
        status: str
        expiry_date: datetime | None
        parent_id_tag: str | None
        max_active_transactions: int

    class TransactionJoined(Aggregate.Event):
        transaction: UUID

    class TransactionLeft(Aggregate.Event):
        transaction: UUID

    @staticmethod
    @functools.lru_cache(maxsize=65536)  # uuid5 per command adds up
    def create_id(id_tag: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/id-tags/{id_tag.casefold()}")

    @event(Issued)
    def __init__(self, id_tag: str) -> None:
        self.id_tag = id_tag
        self.status = "Invalid"
        self.expiry_date: datetime | None = None
        self.parent_id_tag: str | None = None
        self.max_active_transactions = 1
        self.active: list[UUID] = []

    def update(
        self,
        status: str,
        expiry_date: datetime | None,
        parent_id_tag: str | None,
        max_active_transactions: int,
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown id tag status {status!r}")
        new = (status, expiry_date, parent_id_tag, max_active_transactions)
        old = (self.status, self.expiry_date, self.parent_id_tag,
               self.max_active_transactions)  # fmt: skip
        if new != old:
            self._updated(*new)

    @event(Updated)
    def _updated(
        self,
        status: str,
        expiry_date: datetime | None,
        parent_id_tag: str | None,
        max_active_transactions: int,
    ) -> None:
        self.status = status
        self.expiry_date = expiry_date
        self.parent_id_tag = parent_id_tag
        self.max_active_transactions = max_active_transactions

    def info(
        self, now: datetime, starting: UUID | None = None, replacing: UUID | None = None
    ) -> IdTagInfo:
        """Authorisation answer; `starting` asks whether that transaction may also run
        (besides `replacing`, the stale one it closes)."""
        status = self.status
        if status == "Accepted" and self.expiry_date and self.expiry_date <= now:
            status = "Expired"
        if status == "Accepted" and starting is not None:
            others = [t for t in self.active if t not in (starting, replacing)]
            if len(others) >= self.max_active_transactions:
                status = "ConcurrentTx"
        return IdTagInfo(status, self.expiry_date, self.parent_id_tag)

    def join(self, transaction: UUID) -> None:
        if transaction not in self.active:
            self._transaction_joined(transaction)

    @event(TransactionJoined)
    def _transaction_joined(self, transaction: UUID) -> None:
        self.active.append(transaction)

    def leave(self, transaction: UUID) -> None:
        if transaction in self.active:
            self._transaction_left(transaction)

    @event(TransactionLeft)
    def _transaction_left(self, transaction: UUID) -> None:
        self.active.remove(transaction)
