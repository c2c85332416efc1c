"""What one station does in each phase: come up, listen, and the window's loops."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from time import perf_counter

from ops.bench.config import Scenario
from ops.bench.station import Station, StationGone
from ops.bench.workload import CYCLE, status_payload


async def listen(station: Station, until: float) -> None:
    """Answer CSMS CALLs (and send what they trigger) until `until`."""
    with contextlib.suppress(StationGone):
        while station.connected and perf_counter() < until:
            await station.idle_until(until)
            await station.send_triggered()


async def bring_up(
    station: Station, start_at: float, deadline: float
) -> tuple[float, float | None] | None:
    """Connect (with back-off), boot, report connectors: (booted at, done at)."""
    await asyncio.sleep(max(0.0, start_at - perf_counter()))
    while await station.connect(deadline):
        try:
            if not await station.boot(deadline):
                return None
            booted, complete = perf_counter(), True
            # Errata 3.22: after Accepted, connector 0 and every connector report.
            for connector in range(station.connectors + 1):
                answer = await station.call(
                    "StatusNotification", status_payload(connector)
                )
                complete = complete and answer is not None
            await station.send_triggered()
            return booted, perf_counter() if complete else None
        except StationGone:
            station.fleet.stats.events["reconnects"] += 1
            station.booted = False
    return None


async def _keep_running(
    station: Station, end: float, step: Callable[[], Awaitable[bool]]
) -> None:
    """Run `step` until the end; after a drop, reconnect without a new boot (J §5.4)."""
    while perf_counter() < end:
        try:
            if not await step():
                return
        except StationGone:
            station.fleet.stats.events["reconnects"] += 1
            if not await station.connect(end):
                return


async def max_loop(station: Station, end: float) -> None:
    async def step() -> bool:
        await station.session_step()
        return True

    await _keep_running(station, end, step)


def first_send(interval: float, steps: int) -> float:
    """Seconds from now to a station's first send: a random phase over the whole
    cycle of `steps` sends. Over one interval only, every station would send the
    same step of the mix in the same interval: all StartTransactions of the fleet
    within one interval in seven, and none in the next six, an offered load that
    comes in bursts of one action instead of the steady mix it stands for."""
    return random.uniform(0, interval * steps)


async def _paced_loop(
    station: Station, end: float, interval: float, beat: bool
) -> None:
    """Send on a schedule (random phase), reading and answering between sends."""
    next_at = perf_counter() + first_send(interval, 1 if beat else len(CYCLE))

    async def step() -> bool:
        nonlocal next_at
        await station.idle_until(min(next_at, end))
        if perf_counter() >= end:
            return False
        if perf_counter() >= next_at:
            if beat:
                await station.send_triggered()
                await station.call("Heartbeat", {})
            else:
                await station.session_step()
            # Behind schedule: don't burst to catch up; the achieved rate shows it.
            next_at = max(next_at + interval, perf_counter())
        else:
            await station.send_triggered()
        return True

    await _keep_running(station, end, step)


async def steady_loop(station: Station, end: float) -> None:
    cfg = station.fleet.cfg
    await _paced_loop(station, end, cfg.stations / cfg.rate, beat=False)


async def hold_loop(station: Station, end: float) -> None:
    await _paced_loop(station, end, station.fleet.cfg.heartbeat, beat=True)


LOOPS = {
    Scenario.STEADY: steady_loop,
    Scenario.MAX: max_loop,
    Scenario.HOLD: hold_loop,
}
