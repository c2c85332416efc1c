"""Counters and latency histograms a worker fills and the parent merges."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

_FLOOR = 1e-6  # 1 µs: the smallest latency bucket
_STEP = math.log(1.01)  # buckets 1 % wide: exact enough, bounded memory


class Histogram:
    """Latency samples in log buckets, mergeable across processes."""

    __slots__ = ("buckets", "count", "max", "total")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, seconds: float) -> None:
        index = int(math.log(seconds / _FLOOR) / _STEP) if seconds > _FLOOR else 0
        self.buckets[index] = self.buckets.get(index, 0) + 1
        self.count += 1
        self.total += seconds
        if seconds > self.max:
            self.max = seconds

    def merge(self, other: Histogram) -> None:
        for index, n in other.buckets.items():
            self.buckets[index] = self.buckets.get(index, 0) + n
        self.count += other.count
        self.total += other.total
        self.max = max(self.max, other.max)

    def percentile(self, q: float) -> float:
        """Upper edge of the bucket holding the q-quantile, never above the max."""
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return min(_FLOOR * math.exp((index + 1) * _STEP), self.max)
        return self.max


@dataclass
class Stats:
    """What happened in one phase of a run, per action and per kind of error."""

    answered: Counter[str] = field(default_factory=Counter)
    latency: dict[str, Histogram] = field(default_factory=dict)
    action_errors: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    csms_calls: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)  # retries, reconnects

    def answer(self, action: str, seconds: float) -> None:
        self.answered[action] += 1
        histogram = self.latency.get(action)
        if histogram is None:
            histogram = self.latency[action] = Histogram()
        histogram.add(seconds)

    def error(self, kind: str, action: str | None = None) -> None:
        self.errors[kind] += 1
        if action is not None:
            self.action_errors[action] += 1

    def merge(self, other: Stats) -> None:
        self.answered.update(other.answered)
        self.action_errors.update(other.action_errors)
        self.errors.update(other.errors)
        self.csms_calls.update(other.csms_calls)
        self.events.update(other.events)
        for action, histogram in other.latency.items():
            self.latency.setdefault(action, Histogram()).merge(histogram)

    @property
    def total_answered(self) -> int:
        return sum(self.answered.values())
