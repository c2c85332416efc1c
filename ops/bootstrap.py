"""The composition root: builds the write side, read side and web app from Settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.ocpp.backend import Backend, LedgerBackend, NullBackend
from adapters.ocpp.gateway import Gateway
from adapters.ocpp.routing import PostgresRouter
from adapters.ocpp.server import OcppServer, add_ocpp_routes
from adapters.storage.eventstore import eventsourcing_env
from adapters.storage.transaction_ids import PostgresTransactionIds, SqliteTransactionIds
from domain.application import CentralSystem
from domain.writer import BatchStats, CommandWriter
from ops.settings import Settings
from projections.database import Database, open_database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """The long-lived parts of one node, started and stopped together."""

    settings: Settings
    db: Database
    central: CentralSystem
    writer: CommandWriter
    on_commit: list[Any] = field(default_factory=list)

    def committed(self, stats: BatchStats) -> None:
        for callback in self.on_commit:
            callback(stats)

    def close(self) -> None:
        self.writer.stop()
        self.central.close()
        self.db.close()


def open_central(settings: Settings, db: Database) -> CentralSystem:
    ids = PostgresTransactionIds(db) if settings.is_postgres else SqliteTransactionIds(db)
    return CentralSystem(
        eventsourcing_env(settings.database), transaction_ids=ids, policy=settings.policy()
    )


def build_runtime(settings: Settings) -> Runtime:
    db = open_database(settings.database)
    central = open_central(settings, db)
    runtime = Runtime(settings, db, central, CommandWriter(central))
    runtime.writer = CommandWriter(central, on_commit=runtime.committed)
    return runtime


runtime_key = web.AppKey("runtime", Runtime)
gateway_key = web.AppKey("gateway", Gateway)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_web_app(settings: Settings) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    runtime: Runtime | None = None if settings.store == "none" else build_runtime(settings)
    backend: Backend = (
        NullBackend(settings.heartbeat_interval)
        if runtime is None
        else LedgerBackend(runtime.central, runtime.writer)
    )
    server = OcppServer(backend, settings.node_id, settings.max_message_size,
                        settings.call_queue)  # fmt: skip
    add_ocpp_routes(app, server)
    router = PostgresRouter(settings.database, server) if settings.is_postgres else None
    app[gateway_key] = Gateway(server, backend, timeout=settings.call_timeout, router=router)
    if runtime is not None:
        app[runtime_key] = runtime
    app.router.add_get("/healthz", healthz)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        if runtime is not None:
            runtime.writer.start()
        if router is not None:
            await router.start()
        yield
        if router is not None:
            await router.stop()
        for session in list(server.sessions.values()):
            await session.ws.close()
        if runtime is not None:
            runtime.close()

    app.cleanup_ctx.append(lifecycle)
    return app
