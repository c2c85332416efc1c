"""Reference servers for the generator's tests: in-process, or as a real subprocess."""

from __future__ import annotations

import shlex
import socket
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
from aiohttp.test_utils import TestServer

from ops.bench.compare import running_server
from ops.bench.reference_server import ReferenceChargePoint, build_app


class CountingChargePoint(ReferenceChargePoint):
    """The reference station session, also counting the CALLs it receives and
    noting when each arrived."""

    received: ClassVar[Counter[str]] = Counter()
    arrivals: ClassVar[defaultdict[str, list[float]]] = defaultdict(list)

    async def route_message(self, raw_msg: str) -> Any:
        frame = orjson.loads(raw_msg)
        if frame[0] == 2:
            self.received[frame[2]] += 1
            self.arrivals[frame[2]].append(time.perf_counter())
        return await super().route_message(raw_msg)


@pytest.fixture
async def reference_url(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> str:
    """The reference server on a free 127.0.0.1 port in this event loop."""
    CountingChargePoint.received = Counter()
    CountingChargePoint.arrivals = defaultdict(list)
    server = await aiohttp_server(build_app(CountingChargePoint), host="127.0.0.1")
    return f"ws://127.0.0.1:{server.port}/ocpp"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def reference_process() -> Iterator[tuple[str, int]]:
    """The reference server as its own process (for the CLI): (url, pid)."""
    port = free_port()
    root = shlex.quote(str(Path(__file__).resolve().parents[2]))
    python = shlex.quote(sys.executable)
    command = f"cd {root} && exec {python} -m ops.bench.reference_server --port {port}"
    with running_server(command, port, start_timeout=30.0) as pid:
        yield f"ws://127.0.0.1:{port}/ocpp", pid
