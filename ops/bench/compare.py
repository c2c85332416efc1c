"""`bench compare`: the same workload against two servers, interleaved A, B, A, B."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ops.bench.config import BenchConfig


class ServerStartError(RuntimeError):
    """A server command did not start listening (or its port was taken already)."""


@dataclass
class Side:
    """One server command and the reports of its rounds."""

    name: str
    command: str
    reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rates(self) -> list[float]:
        return [float(r["msgs_per_s"]) for r in self.reports]


def compare(
    cfg: BenchConfig,
    commands: tuple[str, str],
    rounds: int,
    port: int,
    run: Callable[[BenchConfig], dict[str, Any]],
    start_timeout: float = 30.0,
) -> dict[str, Any]:
    """Run A, B, A, B … (`rounds` each) and summarise; B/A is the figure to track."""
    sides = (Side("A", commands[0]), Side("B", commands[1]))
    for _ in range(rounds):
        for side in sides:  # interleaved: slow drift on a shared box hits both sides
            command = side.command.replace("{port}", str(port))
            with running_server(command, port, start_timeout) as pid:
                side.reports.append(run(cfg.with_server(cfg.url, pid)))
    a, b = (statistics.median(side.rates) for side in sides)
    return {
        "scenario": str(cfg.scenario),
        "stations": cfg.stations,
        "rounds": rounds,
        "sides": {side.name: _summary(side) for side in sides},
        "ratio_b_over_a": round(b / a, 3) if a > 0 else None,
        "round_ratios": [
            round(rb / ra, 3) if ra > 0 else None
            for ra, rb in zip(sides[0].rates, sides[1].rates, strict=True)
        ],
    }


def _summary(side: Side) -> dict[str, Any]:
    last = side.reports[-1]
    return {
        "command": side.command,
        "msgs_per_s": side.rates,
        "median_msgs_per_s": round(statistics.median(side.rates), 1),
        "errors": sum(sum(r["errors"].values()) for r in side.reports),
        "stations_lost": sum(r["stations_lost"] for r in side.reports),
        "server": last["server"],
        "generator_cpu_percent": last["generator"]["cpu_percent"],
        "p99_ms": {a: row["p99_ms"] for a, row in last["actions"].items()},
        "reports": side.reports,
    }


def render_compare(result: dict[str, Any]) -> str:
    lines = [
        f"compare {result['scenario']}: {result['stations']} stations, "
        f"{result['rounds']} round(s) per side, interleaved A, B"
    ]
    for name, side in result["sides"].items():
        rates = ", ".join(f"{rate:,.1f}" for rate in side["msgs_per_s"])
        server = side["server"] or {}
        lines.append(
            f"{name}: median {side['median_msgs_per_s']:,.1f} msgs/s  [{rates}]  "
            f"errors {side['errors']}, lost {side['stations_lost']}, "
            f"server CPU {server.get('cpu_percent', '?')} %, "
            f"RSS {server.get('rss_mib', '?')} MiB, "
            f"generator CPU {side['generator_cpu_percent']} %"
        )
        lines.append(f"   {side['command']}")
    lines.append(
        f"ratio B/A (median msgs/s): {result['ratio_b_over_a']}  "
        f"per round: {result['round_ratios']}"
    )
    return "\n".join(lines)


@contextlib.contextmanager
def running_server(command: str, port: int, start_timeout: float) -> Iterator[int]:
    """Start `command` in a new process group, wait until it listens; stop it after."""
    if _listening(port):
        raise ServerStartError(f"port {port} is already in use; stop that server first")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, shell=True, start_new_session=True, stdout=log, stderr=log
        )
        try:
            _wait_listening(process, port, start_timeout, log)
            yield process.pid
        finally:
            _stop(process, port)


def _listening(port: int) -> bool:
    with (
        contextlib.suppress(OSError),
        socket.create_connection(("127.0.0.1", port), timeout=0.5),
    ):
        return True
    return False


def _wait_listening(
    process: subprocess.Popen[bytes], port: int, timeout: float, log: Any
) -> None:
    deadline = time.monotonic() + timeout
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            tail = log.read()[-2000:].decode(errors="replace")
            state = "exited" if process.poll() is not None else "is not listening"
            raise ServerStartError(f"server {state} on port {port}:\n{tail}")
        time.sleep(0.1)  # polling a port: nothing to wait on instead


def _stop(process: subprocess.Popen[bytes], port: int, grace: float = 10.0) -> None:
    """SIGTERM the process group, wait for the port to close, SIGKILL what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while process.poll() is None or _listening(port):
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group is ours alone (new session)
    process.wait(timeout=5.0)
