"""Measure the write path alone: commands a second through CentralSystem.handle_batch.

    python -m ops.writer_speed                          # a temporary SQLite file
    python -m ops.writer_speed --database postgresql://… --batch 45

One thread, no server, no generator, no projections: stations cycle through the bench
mix (StartTransaction, MeterValues ×3, StopTransaction), each command with the journal
row of its frame and of its answer and a presence sighting, in group commits of
--batch commands (45 is what `bench max` with 100 stations gives). What the writer
process could do with a core of its own; `chargeledger bench` measures the node.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.ocpp import translate
from domain import commands as c
from domain.application import CentralSystem
from ops.bench.workload import advance, next_call, now_iso
from ops.settings import Settings
from ops.store import open_central
from projections.database import open_database

STATIONS = 100
ID_TAG = "SPEED-TAG"
COMMANDS = {
    "StartTransaction": translate.start_transaction,
    "MeterValues": translate.meter_values,
    "StopTransaction": translate.stop_transaction,
}


class Session:
    """One station's place in the mix (ops.bench.workload's Session)."""

    def __init__(self, index: int) -> None:
        self.name = f"WS-{index:04d}"
        self.step, self.tx_id, self.meter_wh = 2, None, 0
        self.connector, self.connectors = 1, 2
        self.id_tag = ID_TAG


def _answer(action: str, result: Any) -> dict[str, Any]:
    if action == "StartTransaction":
        return {"transactionId": result.transaction_id, "idTagInfo": {"status": "Accepted"}}
    return {}


def run(central: CentralSystem, sessions: list[Session], commands: int, batch: int) -> None:
    done = 0
    while done < commands:
        chosen = sessions[:batch]
        sessions[:] = sessions[batch:] + chosen  # every station in turn
        calls = [(s, *next_call(s)) for s in chosen]
        cmds = [COMMANDS[action](s.name, payload) for s, action, payload in calls]
        stamp = now_iso()
        journal = [(s.name, "in", stamp, 2, "m", action, json.dumps([2, "m", action, p]))
                   for s, action, p in calls]  # fmt: skip
        journal += [(s.name, "out", stamp, 3, "m", action, "[3,\"m\",{}]")
                    for s, action, _ in calls]  # fmt: skip
        presence = [(s.name, None, stamp, None) for s in chosen]
        outcomes = central.handle_batch(cmds, journal=journal, presence=presence)
        for (s, action, _), outcome in zip(calls, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                raise outcome
            advance(s, action, _answer(action, outcome.result))
            s.step = max(s.step, 2)  # Heartbeat and Authorize never reach the writer
        done += len(cmds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="default: a temporary SQLite file")
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=45)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "writer.sqlite3")
        settings = Settings(database=database, unknown_stations="accept")
        db = open_database(database)
        central = open_central(settings, db)
        sessions = [Session(i) for i in range(STATIONS)]
        central.handle(c.UpsertIdTag(ID_TAG, "Accepted"))
        central.handle_batch([c.RegisterBoot(s.name, "ACME", "X1") for s in sessions])
        run(central, sessions, 2_000, args.batch)  # warm: every aggregate cached
        started, cpu = time.perf_counter(), time.process_time()
        run(central, sessions, args.commands, args.batch)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        central.close()
        db.close()
    print(json.dumps({
        "store": "postgresql" if database.startswith("postgres") else "sqlite",
        "commands": args.commands, "batch": args.batch, "seconds": round(seconds, 2),
        "commandsPerSecond": round(args.commands / seconds),
        "microsecondsPerCommand": round(seconds / args.commands * 1e6),
        "cpuMicrosecondsPerCommand": round(cpu / args.commands * 1e6),
        "loadAverage": round(os.getloadavg()[0], 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
