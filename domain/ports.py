"""What the domain needs from outside, as Protocols (fakes in tests, SQL in production)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class TransactionIds(Protocol):
    """Allocates OCPP transactionIds: unique positive int32, never 0 (rules §1.1)."""

    def next_id(self) -> int: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
