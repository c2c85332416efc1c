"""Latency histograms and counters: what the report's figures are computed from."""

from __future__ import annotations

import pickle

from ops.bench.runner import _split
from ops.bench.stats import Histogram, Stats


def test_percentiles_are_ordered_and_within_one_percent() -> None:
    histogram = Histogram()
    for millis in range(1, 1001):
        histogram.add(millis / 1000)

    p50, p99 = histogram.percentile(0.5), histogram.percentile(0.99)
    assert p50 <= histogram.percentile(0.95) <= p99 <= histogram.max == 1.0
    assert abs(p50 - 0.5) <= 0.5 * 0.011
    assert abs(p99 - 0.99) <= 0.99 * 0.011


def test_stats_merge_across_processes_adds_counts() -> None:
    first, second = Stats(), Stats()
    first.answer("Heartbeat", 0.002)
    second.answer("Heartbeat", 0.004)
    second.error("timeout", "Authorize")

    merged = Stats()
    for part in (first, pickle.loads(pickle.dumps(second))):  # as a worker sends it
        merged.merge(part)

    assert merged.answered == {"Heartbeat": 2}
    assert merged.latency["Heartbeat"].count == 2
    assert merged.latency["Heartbeat"].max == 0.004
    assert merged.errors == {"timeout": 1}
    assert merged.action_errors == {"Authorize": 1}


def test_stations_split_into_contiguous_shares() -> None:
    shares = _split(10, 3)
    assert [list(s) for s in shares] == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]
