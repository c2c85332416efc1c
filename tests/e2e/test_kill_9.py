"""Ack after commit: what a station got an answer for survives kill -9 of the server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from adapters.storage.eventstore import eventsourcing_env
from domain import commands
from domain.application import CentralSystem
from domain.transaction_number import TransactionNumber


class ServerProcess:
    """`chargeledger serve` in its own process, as an operator runs it."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.process: subprocess.Popen[str] | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ops.cli", "serve", "--database", self.database_url,
             "--port", str(self.port)],
            env={**os.environ, "PYTHONPATH": os.getcwd()},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        await asyncio.wait_for(asyncio.to_thread(self._until_listening), 60)

    def _until_listening(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:  # the log line serve writes once bound
            if "listening on" in line:
                return
        raise AssertionError("server exited before listening")

    def kill_9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    async def start_transaction(self, number: int, connector: int) -> Any:
        url = f"ws://127.0.0.1:{self.port}/ocpp/CP-K"
        frame = [2, str(number), "StartTransaction", {"connectorId": connector,
                 "idTag": "TAG-K", "meterStart": number,
                 "timestamp": f"2026-11-25T10:00:{number:02d}Z"}]  # fmt: skip
        async with aiohttp.ClientSession() as http, http.ws_connect(
            url, protocols=("ocpp1.6",)
        ) as ws:
            await ws.send_str(json.dumps(frame))
            return json.loads((await ws.receive(timeout=30)).data)[2]["transactionId"]


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    central = CentralSystem(eventsourcing_env(database_url))
    central.handle(commands.RegisterStation("CP-K"))
    central.handle(commands.UpsertIdTag("TAG-K", "Accepted", max_active_transactions=99))
    central.close()
    process = ServerProcess(database_url)
    yield process
    process.stop()


async def test_acknowledged_messages_survive_kill_9(
    server: ServerProcess, database_url: str
) -> None:
    await server.start()
    # The station starts ten transactions, and each is answered.
    answers = [await server.start_transaction(i, 1 + i % 2) for i in range(10)]
    # The process is killed without any chance to flush anything.
    server.kill_9()
    # Every acknowledged transaction is in the store after the crash…
    central = CentralSystem(eventsourcing_env(database_url))
    for number in answers:
        assert central.repository.get(TransactionNumber.create_id(number)).number == number
    central.close()
    # …and a restarted server answers a resent start with the same id.
    await server.start()
    assert await server.start_transaction(9, 2) == answers[9]
