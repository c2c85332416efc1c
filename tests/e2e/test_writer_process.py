"""The writer and the projections in processes of their own (`serve`'s default): what
crosses the pipe comes back as it would in-process, and a lost writer is said loud."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import aiohttp
import psutil
import pytest

from domain import commands as c
from domain.exceptions import UnknownOperationError
from domain.results import Handled, StartResult
from ops.bootstrap import build_split_runtime
from ops.metrics import Metrics
from ops.settings import Settings
from ops.projection_process import NICENESS, ProjectionProcess
from ops.writer_process import WriterProcess, WriterStopped
from tests.e2e.conftest import Csms
from tests.e2e.operator import WAIT
from tests.e2e.processes import ServerProcess

TIMESTAMP = "2026-11-25T10:00:00Z"


@pytest.fixture
def runtime(database_url: str) -> Iterator[Any]:
    runtime = build_split_runtime(Settings(database=database_url), Metrics())
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.close()


def test_results_and_refusals_come_back_after_the_commit(runtime: Any) -> None:
    writer: WriterProcess = runtime.writer
    for cmd in (c.RegisterStation("CP-1"), c.UpsertIdTag("TAG", "Accepted"),
                c.RegisterBoot("CP-1", "ACME", "X1")):  # fmt: skip
        writer.submit(cmd).result(WAIT)
    handled = writer.submit(c.StartTransaction("CP-1", 1, "TAG", 0, TIMESTAMP)).result(WAIT)
    assert isinstance(handled, Handled) and isinstance(handled.result, StartResult)
    assert handled.result.id_tag_info.status == "Accepted"
    # Committed: the store shows it to this process's read-only CentralSystem.
    assert runtime.central.recorder.max_notification_id() == handled.notification_id
    # A resend is the same transaction (decided in the writer process, as always).
    again = writer.submit(c.StartTransaction("CP-1", 1, "TAG", 0, TIMESTAMP)).result(WAIT)
    assert again.result == handled.result
    # A refusal arrives as the domain's own exception.
    missing = writer.submit(c.RecordOperationOutcome(uuid4(), "Accepted", None, None, None))
    with pytest.raises(UnknownOperationError):
        missing.result(WAIT)


def test_read_models_and_authorize_copies_follow_the_writer(runtime: Any) -> None:
    writer: WriterProcess = runtime.writer
    handled = writer.submit(c.UpsertIdTag("TAG", "Accepted")).result(WAIT)
    assert runtime.follower.wait(handled.notification_id, WAIT)
    assert min(runtime.follower.positions().values()) >= handled.notification_id
    assert runtime.central.authorize("TAG").status == "Accepted"  # now a read copy
    assert runtime.central.cached_authorization("TAG").status == "Accepted"
    writer.submit(c.UpsertIdTag("TAG", "Blocked")).result(WAIT)
    # Dropped when the block was committed (told before the answer came back).
    assert runtime.central.cached_authorization("TAG") is None
    assert runtime.central.authorize("TAG").status == "Blocked"


def test_side_rows_with_a_waiter_are_committed_first(runtime: Any) -> None:
    async def scenario() -> None:
        writer: WriterProcess = runtime.writer
        await writer.record_async([], [("CP-9", 1, TIMESTAMP, "node-x")])
        rows = runtime.db.ledger.query(
            "SELECT online, node FROM chargeledger_presence WHERE station = ?", ("CP-9",))
        assert [(r["online"], r["node"]) for r in rows] == [(1, "node-x")]

    asyncio.run(scenario())


def test_the_writer_outlives_a_group_sigterm_until_the_server_stops(runtime: Any) -> None:
    writer: WriterProcess = runtime.writer
    for signum in (signal.SIGTERM, signal.SIGINT):  # as systemd or Ctrl-C send them
        os.kill(writer.process.pid, signum)  # type: ignore[arg-type]
    assert writer.submit(c.RegisterStation("CP-3")).result(WAIT).notification_id
    assert writer.process.is_alive()


def test_a_killed_writer_fails_what_waits_and_what_comes(runtime: Any) -> None:
    writer: WriterProcess = runtime.writer
    os.kill(writer.process.pid, signal.SIGKILL)  # type: ignore[arg-type]
    writer.process.join(WAIT)
    with pytest.raises(WriterStopped):
        writer.submit(c.RegisterStation("CP-2")).result(WAIT)
    assert runtime.stopped


async def test_the_writer_stops_when_the_server_is_killed(database_url: str) -> None:
    server = ServerProcess(database_url)
    await server.start()
    try:
        assert server.process is not None
        async with aiohttp.ClientSession() as http:  # answered once it has started
            health = await http.get(f"http://127.0.0.1:{server.port}/healthz")
            assert health.status == 200
        # The writer (and multiprocessing's resource tracker, which goes the same way).
        children = psutil.Process(server.process.pid).children()
        assert any("spawn_main" in " ".join(p.cmdline()) for p in children)
        server.kill_9()
        # Its end of the pipe closed: nobody waits for answers, so it stops.
        _, alive = psutil.wait_procs(children, timeout=WAIT)
        assert alive == []
    finally:
        server.stop()


async def test_a_station_is_told_to_retry_when_the_writer_is_gone(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.boot()
    writer = csms.runtime.writer
    os.kill(writer.process.pid, signal.SIGKILL)
    await asyncio.to_thread(writer.process.join, WAIT)
    answer = await station.call("StatusNotification", {
        "connectorId": 1, "status": "Available", "errorCode": "NoError"})  # fmt: skip
    assert answer[0] == 4 and answer[2] == "InternalError"
    assert (await csms.client.get("/healthz")).status == 503
    assert (await csms.client.get("/readyz")).status == 503


def test_the_projections_yield_the_cores_to_the_writer_and_the_server(
    runtime: Any,
) -> None:
    server = os.getpriority(os.PRIO_PROCESS, 0)
    writer = os.getpriority(os.PRIO_PROCESS, runtime.writer.process.pid)
    projections = os.getpriority(os.PRIO_PROCESS, runtime.follower.process.pid)
    assert writer == server
    assert projections == min(server + NICENESS, 19)


def test_the_projections_outlive_a_group_sigterm(runtime: Any) -> None:
    projections: ProjectionProcess = runtime.follower
    for signum in (signal.SIGTERM, signal.SIGINT):
        os.kill(projections.process.pid, signum)  # type: ignore[attr-defined]
    handled = runtime.writer.submit(c.RegisterStation("CP-4")).result(WAIT)
    assert projections.wait(handled.notification_id, WAIT)
    assert projections.process.is_alive()  # type: ignore[attr-defined]


def test_a_killed_projection_process_is_started_again(runtime: Any) -> None:
    projections: ProjectionProcess = runtime.follower
    first = projections.process
    os.kill(first.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    first.join(WAIT)  # type: ignore[attr-defined]
    # Commits go on meanwhile; the new process applies them.
    handled = runtime.writer.submit(c.RegisterStation("CP-5")).result(WAIT)
    assert projections.wait(handled.notification_id, WAIT)
    assert projections.process is not first and projections.last_error is None
    assert not runtime.stopped  # the node still commits: only /readyz waited


async def test_readyz_says_why_while_the_projections_are_down(csms: Csms) -> None:
    projections = csms.runtime.follower
    projections.restart_delay = 3600  # not started again within this test
    os.kill(projections.process.pid, signal.SIGKILL)
    assert await asyncio.to_thread(projections.wait_unready, WAIT)
    ready = await csms.client.get("/readyz")
    assert ready.status == 503 and "projections" in (await ready.text())
    assert (await csms.client.get("/healthz")).status == 200  # writes still commit
