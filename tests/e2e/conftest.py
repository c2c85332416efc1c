"""End-to-end fixtures: the real aiohttp app on a real socket, on both stores."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from domain import commands
from ops.bootstrap import build_web_app, gateway_key, runtime_key
from ops.settings import Settings
from tests.e2e.station import AnsweringStation


class Csms:
    """A running ChargeLedger node and ways to talk to it."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.runtime = client.server.app[runtime_key]
        self.gateway = client.server.app[gateway_key]

    async def connect(self, station: str, password: str | None = None) -> AnsweringStation:
        headers = (
            {"Authorization": aiohttp.encode_basic_auth(station, password)}
            if password
            else {}
        )
        ws = await self.client.ws_connect(f"/ocpp/{station}", protocols=("ocpp1.6",),
                                          headers=headers)  # fmt: skip
        return AnsweringStation(ws)

    async def seed(self, *cmds: commands.Command) -> None:
        for cmd in cmds:
            await asyncio.wrap_future(self.runtime.writer.submit(cmd))


StartCsms = Callable[..., Awaitable[Csms]]


@pytest.fixture
async def start_csms(database_url: str) -> AsyncIterator[StartCsms]:
    clients: list[TestClient[Any, Any]] = []

    async def start(**overrides: Any) -> Csms:
        settings = replace(Settings(database=database_url, node_id="test-node"), **overrides)
        client = TestClient(TestServer(build_web_app(settings)))
        await client.start_server()
        clients.append(client)
        return Csms(client)

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def csms(start_csms: StartCsms) -> Csms:
    node = await start_csms()
    await node.seed(
        commands.RegisterStation("CP-1"),
        commands.UpsertIdTag("TAG-1", "Accepted"),
        commands.UpsertIdTag("TAG-2", "Accepted"),
        commands.UpsertIdTag("BLOCKED", "Blocked"),
        commands.UpsertIdTag("EXPIRED", "Expired"),
    )
    return node

