"""CPU and memory figures: the server's (via psutil) and the generator's own."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

import psutil  # type: ignore[import-untyped]  # no stubs in the venv


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float  # user + system seconds
    rss: int  # bytes


class ServerProbe:
    """Samples a server process and its children (a shell wrapper, worker processes)."""

    def __init__(self, pid: int) -> None:
        try:
            self._root = psutil.Process(pid)
        except psutil.Error as error:
            raise ValueError(f"--server-pid {pid}: no such process") from error

    def sample(self) -> Sample | None:
        try:
            processes = [self._root, *self._root.children(recursive=True)]
            cpu, rss = 0.0, 0
            for process in processes:
                with process.oneshot():
                    times = process.cpu_times()
                    cpu += times.user + times.system
                    rss += process.memory_info().rss
        except psutil.Error:
            return None  # the server died or was never there: report no figures
        return Sample(time.perf_counter(), cpu, rss)


def own_sample() -> Sample:
    """This generator process: CPU seconds so far and current RSS."""
    rss = psutil.Process().memory_info().rss
    return Sample(time.perf_counter(), time.process_time(), rss)


def cpu_percent(before: Sample, after: Sample) -> float:
    """CPU use between two samples; 100 means one core busy the whole time."""
    wall = after.wall - before.wall
    return 100.0 * (after.cpu - before.cpu) / wall if wall > 0 else 0.0


def raise_open_file_limit() -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit: one socket per station."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass  # keep what we have; the report shows it
    return soft
