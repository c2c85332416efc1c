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

        def apply(self, tag: IdTag) -> None:
            tag.status = self.status
            tag.expiry_date = self.expiry_date
            tag.parent_id_tag = self.parent_id_tag
            tag.max_active_transactions = self.max_active_transactions

    class TransactionJoined(Aggregate.Event):
        transaction: UUID

        def apply(self, tag: IdTag) -> None:
            tag.active.append(self.transaction)

    class TransactionLeft(Aggregate.Event):
        transaction: UUID

        def apply(self, tag: IdTag) -> None:
            tag.active.remove(self.transaction)

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
            self.trigger_event(
                self.Updated, status=status, expiry_date=expiry_date,
                parent_id_tag=parent_id_tag,
                max_active_transactions=max_active_transactions,
            )

    def info(
        self, now: datetime, starting: UUID | None = None, replacing: UUID | None = None
    ) -> IdTagInfo:
        """Authorisation answer; `starting` asks whether that transaction may also run
        (besides `replacing`, the stale one it closes)."""
        status = self.status
        if status == "Accepted" and self.expiry_date and self.expiry_date <= now:
            status = "Expired"
        # Counting needs the list only when it could reach the limit (a fleet card
        # may hold hundreds of open sessions).
        limit = self.max_active_transactions
        if status == "Accepted" and starting is not None and len(self.active) >= limit:
            others = [t for t in self.active if t not in (starting, replacing)]
            if len(others) >= limit:
                status = "ConcurrentTx"
        return IdTagInfo(status, self.expiry_date, self.parent_id_tag)

    def join(self, transaction: UUID) -> None:
        if transaction not in self.active:
            self.trigger_event(self.TransactionJoined, transaction=transaction)

    def leave(self, transaction: UUID) -> None:
        if transaction in self.active:
            self.trigger_event(self.TransactionLeft, transaction=transaction)
