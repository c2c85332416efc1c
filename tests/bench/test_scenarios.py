"""The generator run for real, at small N, against the in-process reference server."""

from __future__ import annotations

import bisect
import os
from typing import Any

import orjson

from ops.bench.config import BenchConfig, Scenario
from ops.bench.runner import run_async
from tests.bench.conftest import CountingChargePoint

MIX = ("Heartbeat", "Authorize", "StartTransaction", "MeterValues", "StopTransaction")


def config(scenario: Scenario, url: str, **overrides: Any) -> BenchConfig:
    settings: dict[str, Any] = {
        "stations": 10,
        "duration": 1.0,
        "connect_timeout": 10.0,
    }
    return BenchConfig(scenario, url=url, **(settings | overrides))


def assert_percentiles_ordered(report: dict[str, Any]) -> None:
    for row in report["actions"].values():
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]


async def test_max_boots_every_station_and_counts_each_action(
    reference_url: str,
) -> None:
    report = await run_async(config(Scenario.MAX, reference_url))

    # Every station came up during setup and stayed up, with nothing going wrong.
    assert report["stations_booted"] == 10
    assert report["stations_lost"] == 0
    assert report["errors"] == {} and report["setup_errors"] == {}
    assert report["connect_failures"] == report["connect_retries"] == 0

    # Counts add up and follow the session: Heartbeat, Authorize, Start, 3 MV, Stop.
    counts = {action: row["count"] for action, row in report["actions"].items()}
    assert set(counts) <= set(MIX)
    assert report["msgs"] == sum(counts.values()) > 0
    get = counts.get
    assert get("Heartbeat", 0) >= get("Authorize", 0) >= get("StartTransaction", 0)
    assert get("StartTransaction", 0) >= get("StopTransaction", 0)
    assert 3 * get("StopTransaction", 0) <= get("MeterValues", 0)
    assert get("MeterValues", 0) <= 3 * get("StartTransaction", 0)
    assert report["msgs_per_s"] > 0
    assert_percentiles_ordered(report)


async def test_max_counts_match_what_the_server_received(reference_url: str) -> None:
    report = await run_async(config(Scenario.MAX, reference_url, stations=5))

    # Setup sent one Boot and three StatusNotifications per station; the window's
    # answered CALLs are all on the server, plus at most one in flight per station.
    received = CountingChargePoint.received
    assert received["BootNotification"] == 5
    window_on_server = sum(received.values()) - 5 * 4
    assert report["msgs"] <= window_on_server <= report["msgs"] + 5


async def test_storm_boots_all_and_reports_each_connector(reference_url: str) -> None:
    report = await run_async(config(Scenario.STORM, reference_url, stations=20))

    assert report["stations_booted"] == 20
    assert report["stations_lost"] == 0
    assert report["errors"] == {}
    assert report["actions"]["BootNotification"]["count"] == 20
    # Connector 0 plus connectors 1 and 2 for each station (errata 3.22).
    assert report["actions"]["StatusNotification"]["count"] == 60
    storm = report["storm"]
    assert 0 < storm["median_done_s"] <= storm["all_done_s"]
    assert storm["all_booted_s"] <= storm["all_done_s"]
    assert_percentiles_ordered(report)


async def test_steady_reports_the_offered_rate_and_parses_as_json(
    reference_url: str,
) -> None:
    cfg = config(Scenario.STEADY, reference_url, rate=100.0)
    report = await run_async(cfg)

    assert report["offered_rate"] == 100.0
    assert report["errors"] == {}
    assert report["stations_lost"] == 0
    assert orjson.loads(orjson.dumps(report)) == report
    assert_percentiles_ordered(report)


async def test_steady_offers_every_action_all_through_the_cycle(
    reference_url: str,
) -> None:
    """Each station starts at its own point of the mix's cycle: at 200 msgs/s over
    20 stations (a CALL every 0.1 s each, the mix of seven every 0.7 s), no tenth of
    a second gets the fleet's StartTransactions at once."""
    await run_async(config(Scenario.STEADY, reference_url, stations=20, rate=200.0,
                           duration=1.4))  # fmt: skip

    starts = sorted(CountingChargePoint.arrivals["StartTransaction"])
    assert len(starts) >= 20
    crowded = max(bisect.bisect_left(starts, t + 0.1) - i for i, t in enumerate(starts))
    assert crowded < len(starts) / 3


async def test_hold_reports_server_memory_per_connection(reference_url: str) -> None:
    # The in-process server shares our pid: the figures are there, not meaningful.
    cfg = config(Scenario.HOLD, reference_url, heartbeat=0.2, server_pid=os.getpid())
    report = await run_async(cfg)

    assert report["stations_lost"] == 0
    assert set(report["actions"]) <= {"Heartbeat"}
    assert report["errors"] == {}
    server = report["server"]
    assert server["pid"] == os.getpid()
    assert {"cpu_percent", "rss_mib", "rss_per_connection_kib"} <= set(server)
    assert report["generator"]["open_file_limit"] > 0


async def test_unreachable_server_counts_stations_lost(reference_url: str) -> None:
    url = reference_url.replace("/ocpp", "/nowhere")  # the server answers 404
    report = await run_async(config(Scenario.MAX, url, stations=3, connect_timeout=0.5))

    assert report["stations_booted"] == 0
    assert report["stations_lost"] == 3
    assert report["setup_errors"] == {"connect:http_404": 3}
    assert report["msgs"] == 0
