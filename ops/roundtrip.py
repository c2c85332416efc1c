"""Measure one StartTransaction round trip (median of N) against a fresh in-process node.

    python -m ops.roundtrip                      # a temporary SQLite file
    python -m ops.roundtrip --database postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import aiohttp
from aiohttp import web

from domain import commands
from ops.bootstrap import build_web_app, runtime_key
from ops.settings import Settings


async def measure(database: str, count: int) -> list[float]:
    settings = replace(Settings(), database=database, port=0)
    app = build_web_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    writer = app[runtime_key].writer
    for cmd in (commands.RegisterStation("RT-1"), commands.UpsertIdTag("RT-TAG", "Accepted")):
        await asyncio.wrap_future(writer.submit(cmd))
    samples = []
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(
            f"ws://127.0.0.1:{port}/ocpp/RT-1", protocols=("ocpp1.6",)
        ) as ws:
            base = int(time.time())
            for i in range(count):
                stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + i))
                frame = [2, str(i), "StartTransaction", {"connectorId": 1,
                         "idTag": "RT-TAG", "meterStart": i, "timestamp": stamp}]  # fmt: skip
                started = time.perf_counter()
                await ws.send_str(json.dumps(frame))
                answer = json.loads((await ws.receive()).data)
                samples.append(time.perf_counter() - started)
                assert answer[0] == 3, answer
    finally:
        await runner.cleanup()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="default: a temporary SQLite file")
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "roundtrip.sqlite3")
        samples = asyncio.run(measure(database, args.count))
    ms = sorted(s * 1000 for s in samples)
    print(json.dumps({
        "store": "postgresql" if database.startswith("postgres") else "sqlite",
        "count": len(ms), "median_ms": round(statistics.median(ms), 3),
        "p90_ms": round(ms[int(len(ms) * 0.9) - 1], 3), "max_ms": round(ms[-1], 3),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
