"""Fakes of our own ports (never of libraries we don't own)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta


class InMemoryTransactionIds:
    def __init__(self, start: int = 1) -> None:
        self._counter = itertools.count(start)

    def next_id(self) -> int:
        return next(self._counter)


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
