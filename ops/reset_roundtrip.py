"""Measure the `reset` mutation round trip over real HTTP to a real station socket:
operator POST /graphql → CALL Reset → the station answers → the payload comes back.

    python -m ops.reset_roundtrip                   # same node, a temporary SQLite file
    python -m ops.reset_roundtrip --database postgresql://…   # also cross-node

On PostgreSQL a second in-process node holds the station's socket for the cross-node
figure (the operator asks node A; A routes the CALL to B through the database).
Prints one JSON object: median, p99 and max per setup, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from domain import commands
from ops.bootstrap import build_web_app, runtime_key
from ops.settings import Settings

STATION = "RT-RESET"
RESET = f'mutation {{ reset(stationId: "{STATION}", type: Soft) {{ status }} }}'
WARMUP = 10


async def start_node(
    database: str, node_id: str, stack: AsyncExitStack
) -> tuple[str, web.Application]:
    """A full node on an ephemeral port: its base URL and its app."""
    app = build_web_app(replace(Settings(), database=database, node_id=node_id))
    runner = web.AppRunner(app)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}", app


async def answer_resets(ws: aiohttp.ClientWebSocketResponse) -> None:
    """The station: answers every CALL at once with Accepted."""
    async for message in ws:
        frame = json.loads(message.data)
        if frame[0] == 2:
            await ws.send_str(json.dumps([3, frame[1], {"status": "Accepted"}]))


async def measure(
    http: aiohttp.ClientSession, operator: str, count: int
) -> list[float]:
    samples = []
    for i in range(WARMUP + count):
        started = time.perf_counter()
        async with http.post(f"{operator}/graphql", json={"query": RESET}) as response:
            result = await response.json()
        elapsed = time.perf_counter() - started
        assert result["data"]["reset"]["status"] == "Accepted", result
        if i >= WARMUP:
            samples.append(elapsed)
    return samples


async def run(database: str, count: int, cross_node: bool) -> dict[str, Any]:
    """Same node: operator and station on node A; cross-node: station on node B."""
    async with AsyncExitStack() as stack:
        operator, app = await start_node(database, "rt-a", stack)
        register = commands.RegisterStation(STATION)
        await asyncio.wrap_future(app[runtime_key].writer.submit(register))
        holder = (
            (await start_node(database, "rt-b", stack))[0] if cross_node else operator
        )
        http = await stack.enter_async_context(aiohttp.ClientSession())
        ws = await stack.enter_async_context(
            http.ws_connect(
                f"{holder.replace('http', 'ws')}/ocpp/{STATION}", protocols=("ocpp1.6",)
            )
        )
        # The boot is answered after a commit that carries the presence row naming
        # the node that holds the socket (what routing reads).
        boot = {"chargePointVendor": "ChargeLedger", "chargePointModel": "RT"}
        await ws.send_str(json.dumps([2, "boot", "BootNotification", boot]))
        await ws.receive()
        station = asyncio.create_task(answer_resets(ws))
        try:
            return summary(await measure(http, operator, count))
        finally:
            station.cancel()


def summary(samples: list[float]) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[max(0, math.ceil(len(ms) * 0.99) - 1)]
    return {
        "count": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(ms[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", help="default: a temporary SQLite file")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "reset.sqlite3")
        postgres = database.startswith(("postgresql://", "postgres://"))
        report: dict[str, Any] = {"store": "postgresql" if postgres else "sqlite"}
        report["same_node"] = asyncio.run(run(database, args.count, cross_node=False))
        if postgres:
            report["cross_node"] = asyncio.run(
                run(database, args.count, cross_node=True)
            )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
