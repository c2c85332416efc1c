"""The composition root: builds the write side, read side and web app from Settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.ocpp.backend import Backend, LedgerBackend, NullBackend
from adapters.ocpp.gateway import Gateway
from adapters.ocpp.routing import PostgresRouter
from adapters.ocpp.server import OcppServer, add_ocpp_routes
from adapters.storage.eventstore import eventsourcing_env
from api.app import add_graphql_routes
from domain.application import CentralSystem
from domain.writer import BatchStats, CommandWriter
from ops.metrics import Metrics
from ops.orphans import close_orphaned_operations
from ops.settings import Settings
from ops.store import PROJECTION_COALESCE, open_central
from ops.projection_process import ProjectionHooks, ProjectionProcess
from ops.writer_process import WriterHooks, WriterProcess
from projections.catalog import build_projections
from projections.database import Database, open_database
from projections.follower import ProjectionFollower
from projections.live import LiveHub, live_hub
from projections.queries import SqlQueries

if TYPE_CHECKING:
    from uuid import UUID

    from eventsourcing.persistence import Notification

log = logging.getLogger(__name__)
READY_LAG = 10_000  # events: a node this far behind in its read models is not ready


@dataclass
class Runtime:
    """The long-lived parts of one node, started and stopped together."""

    settings: Settings
    db: Database
    central: CentralSystem
    writer: CommandWriter | WriterProcess
    follower: ProjectionFollower | ProjectionProcess
    metrics: Metrics
    live: LiveHub

    def start(self) -> None:
        self.writer.start()  # first: it creates the tables on an empty store
        self.follower.start()

    def close(self) -> None:
        self.writer.stop()
        self.follower.stop()
        self.central.close()
        self.db.close()

    @property
    def stopped(self) -> str | None:
        """Why this node can no longer commit, if it cannot."""
        return self.writer.stopped

    def refresh_gauges(self) -> None:
        head = self.central.recorder.max_notification_id() or 0
        for name, position in self.follower.positions().items():
            self.metrics.projection_lag.labels(name).set(max(0, head - position))


def build_runtime(settings: Settings, metrics: Metrics) -> Runtime:
    if settings.writer == "process":
        return build_split_runtime(settings, metrics)
    db = open_database(settings.database)
    central = open_central(settings, db)
    live = live_hub(central, db)

    def events_stored(notifications: Sequence[Notification]) -> None:
        central.invalidate(notifications)
        live.publish(notifications)

    follower = ProjectionFollower(
        central, db, build_projections(), on_notifications=events_stored,
        coalesce=PROJECTION_COALESCE, observe_delay=metrics.projection_delay.observe,
    )  # fmt: skip
    # Our own commits reach the follower as they are (this also wakes it).
    central.on_recorded = follower.offer
    writer = CommandWriter(central, on_commit=metrics.observe_commit)
    return Runtime(settings, db, central, writer, follower, metrics, live)


def build_split_runtime(settings: Settings, metrics: Metrics) -> Runtime:
    """The writer and the projections in processes of their own (ops.writer_process,
    ops.projection_process); this process keeps a read-only CentralSystem for what it
    answers itself."""
    db = open_database(settings.database)
    # The writer process creates the tables; nothing here writes the ledger.
    env = eventsourcing_env(settings.database, create_table=False)
    central = CentralSystem(env, policy=settings.policy())
    live = live_hub(central, db)

    def committed(stats: BatchStats) -> None:
        metrics.observe_commit(stats)
        projections.wake()

    def stored(first: int, last: int, notifications: list[Notification],
               versions: list[tuple[UUID, int]]) -> None:  # fmt: skip
        central.invalidate(notifications)
        live.publish(notifications, (first, last))
        writer.stale(versions)

    writer = WriterProcess(settings, central, WriterHooks(
        on_commit=committed, on_forget=central.forget_authorizations))  # fmt: skip
    projections = ProjectionProcess(settings, ProjectionHooks(
        on_delay=metrics.projection_delay.observe, on_stored=stored))  # fmt: skip
    return Runtime(settings, db, central, writer, projections, metrics, live)


runtime_key = web.AppKey("runtime", Runtime)
gateway_key = web.AppKey("gateway", Gateway)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app.get(runtime_key)
    if runtime is not None and runtime.stopped:
        return web.json_response({"status": "down", "error": runtime.stopped}, status=503)
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the store answers and the read models are within READY_LAG."""
    runtime = request.app.get(runtime_key)
    if runtime is None:
        return web.json_response({"status": "ready", "store": "none"})
    if runtime.stopped:
        return web.json_response({"status": "down", "error": runtime.stopped}, status=503)
    try:
        head = await asyncio.to_thread(runtime.central.recorder.max_notification_id)
    except Exception as error:
        return web.json_response({"status": "store unreachable", "error": str(error)},
                                 status=503)  # fmt: skip
    lag = {n: max(0, (head or 0) - p) for n, p in runtime.follower.positions().items()}
    error = runtime.follower.last_error
    ready = all(v <= READY_LAG for v in lag.values()) and error is None
    body: dict[str, object] = {"status": "ready" if ready else "catching up", "lag": lag}
    if error is not None:
        body["error"] = str(error)
    return web.json_response(body, status=200 if ready else 503)


async def sweep_orphans(runtime: Runtime) -> None:
    """Close calls left open by a node that stopped mid-call: at start, then hourly.
    A live node's call ends within the timeout of every call queued before it."""
    settings = runtime.settings
    horizon = timedelta(seconds=settings.call_timeout * (settings.call_queue + 1) + 60)
    while True:
        try:
            before = datetime.now(UTC) - horizon
            closed = await asyncio.to_thread(
                close_orphaned_operations, runtime.db, runtime.writer, before
            )
            if closed:
                log.warning("closed %d operator calls left open by a stopped node", closed)
        except Exception:
            log.exception("sweeping orphaned operator calls failed")
        await asyncio.sleep(3600)


def build_web_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    metrics = Metrics()
    runtime = None if settings.store == "none" else build_runtime(settings, metrics)
    backend: Backend = (
        NullBackend(settings.heartbeat_interval)
        if runtime is None
        else LedgerBackend(runtime.central, runtime.writer)
    )
    server = OcppServer(backend, settings.node_id, settings.max_message_size,
                        settings.call_queue, observe=metrics.observe_message)  # fmt: skip
    add_ocpp_routes(app, server)
    router = PostgresRouter(settings.database, server) if settings.is_postgres else None
    app[gateway_key] = Gateway(server, backend, timeout=settings.call_timeout,
                               router=router, observe=metrics.observe_outbound)  # fmt: skip
    if runtime is not None:
        app[runtime_key] = runtime
        add_graphql_routes(app, queries=SqlQueries(runtime.db), writer=runtime.writer,
                           follower=runtime.follower, api_token=settings.api_token,
                           gateway=app[gateway_key], live=runtime.live)  # fmt: skip

    def refresh() -> None:
        metrics.connections.set(len(server.sessions))
        if runtime is not None:
            runtime.refresh_gauges()

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics.handler(refresh))

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        sweeper = None
        if runtime is not None:
            await asyncio.to_thread(runtime.start)
            sweeper = asyncio.create_task(sweep_orphans(runtime))
        if router is not None:
            await router.start()
        yield
        if sweeper is not None:
            sweeper.cancel()
        if router is not None:
            await router.stop()
        for session in list(server.sessions.values()):
            await session.ws.close()
        if runtime is not None:
            await asyncio.to_thread(runtime.close)

    app.cleanup_ctx.append(lifecycle)
    return app
