"""Measure how fast every read model is rebuilt from the events.

    python -m ops.replay_speed --events 200000                  # a temporary SQLite file
    python -m ops.replay_speed --events 200000 --database postgresql://…

Fills the store with a realistic mix (boots, statuses, sessions with meter values)
through the real write path until it holds at least --events events (in a child
process), then runs the same rebuild as `chargeledger replay` and prints events per
second.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from domain import commands as c
from ops.store import open_central
from ops.replay import replay
from ops.settings import Settings
from projections.database import open_database

STATIONS = 200
SAMPLE = [{"value": "1", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
          {"value": "16.0", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
          {"value": "230", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
          {"value": "3.7", "measurand": "Power.Active.Import", "unit": "kW"}]  # fmt: skip


def fill(database: str, events: int) -> int:
    db = open_database(database)
    central = open_central(Settings(database=database), db)
    setup = [c.RegisterStation(f"RS-{i}") for i in range(STATIONS)]
    setup += [c.UpsertIdTag(f"RT-{i}", "Accepted") for i in range(STATIONS)]
    central.handle_batch(setup, optimistic=False)
    for cmd in (c.RegisterBoot(f"RS-{i}", "ACME", "X1") for i in range(STATIONS)):
        central.handle_batch([cmd])
    minute = 0
    while (central.recorder.max_notification_id() or 0) < events:
        minute += 1
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_700_000_000 + minute * 60))
        starts = [c.StartTransaction(f"RS-{i}", 1, f"RT-{i}", minute, stamp) for i in range(STATIONS)]
        numbers = [h.result.transaction_id for h in central.handle_batch(starts)]  # type: ignore[union-attr]
        status = [c.UpdateConnectorStatus(f"RS-{i}", 1, "Charging", "NoError", stamp) for i in range(STATIONS)]
        meters = [c.RecordMeterValues(f"RS-{i}", 1, [{"timestamp": stamp, "sampledValue": SAMPLE}], n)
                  for i, n in enumerate(numbers) for _ in range(1)]
        stops = [c.StopTransaction(f"RS-{i}", n, minute + 5, stamp, reason="Local") for i, n in enumerate(numbers)]
        available = [c.UpdateConnectorStatus(f"RS-{i}", 1, "Available", "NoError", stamp) for i in range(STATIONS)]
        for batch in (status, meters, meters, meters, stops, available):
            central.handle_batch(batch)
    total = int(central.recorder.max_notification_id() or 0)
    central.close()
    db.close()
    return total  # fmt: skip


def _children() -> float:
    """CPU seconds of the finished child processes so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="default: a temporary SQLite file")
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "replay.sqlite3")
        # Filled by another process: the rebuild starts in a fresh one, as
        # `chargeledger replay` does, not in one the fill left a big heap behind in.
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            total = pool.submit(fill, database, args.events).result()
        db = open_database(database)
        central = open_central(Settings(database=database), db)
        started, cpu, workers = time.perf_counter(), time.process_time(), _children()
        report = replay(central, db)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        workers = _children() - workers  # the rebuild's worker processes
        central.close()
        db.close()
    print(json.dumps({
        "store": "postgresql" if database.startswith("postgres") else "sqlite",
        "events": total, "seconds": round(seconds, 2),
        "eventsPerSecond": round(total / seconds),
        # Other processes share the machine: what the rebuild used (this process
        # and its workers), and the load then.
        "cpuSeconds": round(cpu + workers, 2), "workerCpuSeconds": round(workers, 2),
        "loadAverage": round(os.getloadavg()[0], 2),
        "projections": [r.name for r in report],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
