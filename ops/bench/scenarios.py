"""One worker's run: its share of the stations through storm, steady, max or hold."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Protocol

import aiohttp

from ops.bench.config import BenchConfig, Scenario
from ops.bench.probe import Sample, ServerProbe, own_sample, raise_open_file_limit
from ops.bench.routines import LOOPS, bring_up, listen
from ops.bench.station import Fleet, Station
from ops.bench.stats import Stats


class Sync(Protocol):
    """Lines workers up at the phase edges (a no-op with one worker)."""

    async def wait(self) -> None: ...


class NoSync:
    async def wait(self) -> None:
        return None


@dataclass
class WorkerResult:
    """What one worker measured; the parent merges these into the report."""

    stations: int
    stats: Stats  # the measured window (storm: the storm itself)
    setup: Stats = field(default_factory=Stats)  # connect + boot before the window
    booted: int = 0
    lost: int = 0
    boot_times: list[float] = field(default_factory=list)  # storm: s since start
    done_times: list[float] = field(default_factory=list)
    window_s: float = 0.0
    generator: tuple[Sample, Sample] | None = None
    server: tuple[Sample, Sample] | None = None
    server_baseline: Sample | None = None
    open_file_limit: int = 0
    loop: str = ""  # which event loop ran this worker


async def run_worker(
    cfg: BenchConfig, indices: Iterable[int], sync: Sync, measure_server: bool
) -> WorkerResult:
    limit = raise_open_file_limit()
    probe = ServerProbe(cfg.server_pid) if measure_server and cfg.server_pid else None
    # limit=0: no cap on concurrent connections; one shared session for all stations.
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None)
    # Bounds the TCP connect and the upgrade answer; aiohttp drops the read timeout
    # once the WebSocket is open.
    timeout = aiohttp.ClientTimeout(
        total=None, connect=cfg.call_timeout, sock_read=cfg.call_timeout
    )
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        fleet = Fleet(cfg, session)
        stations = [Station(fleet, index) for index in indices]
        result = WorkerResult(len(stations), Stats(), open_file_limit=limit)
        result.loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
        result.server_baseline = probe.sample() if probe else None
        await sync.wait()
        try:
            if cfg.scenario is Scenario.STORM:
                await _storm(fleet, stations, result, probe)
            else:
                await _window(fleet, stations, result, probe, sync)
        finally:
            await _close_all(stations)
    return result


async def _storm(
    fleet: Fleet,
    stations: list[Station],
    result: WorkerResult,
    probe: ServerProbe | None,
) -> None:
    before, server_before = own_sample(), probe.sample() if probe else None
    await _boot_all(fleet, stations, result, fleet.cfg.duration)
    result.stats, fleet.stats = fleet.stats, Stats()
    result.window_s = max(result.done_times, default=fleet.cfg.duration)
    if result.lost:
        result.window_s = fleet.cfg.duration
    result.generator = (before, own_sample())
    result.server = _pair(server_before, probe)


async def _window(
    fleet: Fleet,
    stations: list[Station],
    result: WorkerResult,
    probe: ServerProbe | None,
    sync: Sync,
) -> None:
    await _boot_all(fleet, stations, result, fleet.cfg.connect_timeout)
    result.setup, fleet.stats = fleet.stats, Stats()
    await sync.wait()  # every worker's fleet is up: the window starts together
    before, server_before = own_sample(), probe.sample() if probe else None
    end = perf_counter() + fleet.cfg.duration
    loop = LOOPS[fleet.cfg.scenario]
    tasks = [asyncio.create_task(loop(s, end)) for s in stations if s.booted]
    if tasks:
        await asyncio.wait(tasks, timeout=fleet.cfg.duration)
    # Answers arriving after the end go to a fresh Stats and are not counted.
    result.stats, fleet.stats = fleet.stats, Stats()
    result.generator = (before, own_sample())
    result.server = _pair(server_before, probe)
    result.window_s = result.generator[1].wall - before.wall
    for task in tasks:
        task.cancel()
    _raise_bug(await asyncio.gather(*tasks, return_exceptions=True))
    result.lost = sum(1 for s in stations if not (s.booted and s.connected))


async def _boot_all(
    fleet: Fleet, stations: list[Station], result: WorkerResult, budget: float
) -> None:
    """Connect, boot and report connectors; a station not done in `budget` is lost.

    Stations that are up keep answering CSMS CALLs until the whole phase ends.
    """
    start = perf_counter()
    deadline, ramp, total = start + budget, fleet.cfg.ramp, fleet.cfg.stations
    waiting = len(stations)
    everyone_reported = asyncio.Event()

    async def bring_up_and_listen(station: Station) -> None:
        nonlocal waiting
        outcome = await bring_up(
            station, start + ramp * station.index / total, deadline
        )
        if outcome is not None:
            result.boot_times.append(outcome[0] - start)
            if outcome[1] is not None:
                result.done_times.append(outcome[1] - start)
        waiting -= 1
        if waiting == 0:
            everyone_reported.set()
        await listen(station, deadline)

    tasks = [asyncio.create_task(bring_up_and_listen(s)) for s in stations]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everyone_reported.wait(), budget if tasks else 0)
    for task in tasks:
        task.cancel()
    _raise_bug(await asyncio.gather(*tasks, return_exceptions=True))
    result.booted = sum(1 for s in stations if s.booted)
    result.lost = len(stations) - len(result.done_times)


def _raise_bug(outcomes: Sequence[object]) -> None:
    """A station task that failed (not cancelled at the end) is a generator bug."""
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome


def _pair(
    before: Sample | None, probe: ServerProbe | None
) -> tuple[Sample, Sample] | None:
    after = probe.sample() if probe else None
    return (before, after) if before is not None and after is not None else None


async def _close_all(stations: list[Station]) -> None:
    closing = [asyncio.create_task(s.close()) for s in stations if s.ws is not None]
    if closing:
        await asyncio.wait(closing, timeout=5.0)
        for task in closing:
            task.cancel()
        await asyncio.gather(*closing, return_exceptions=True)
