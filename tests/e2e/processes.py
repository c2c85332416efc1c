"""`chargeledger serve` as separate processes, for crash and multi-node tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from typing import Any

import aiohttp


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

    async def start_transaction(
        self, station: str, id_tag: str, number: int, connector: int
    ) -> Any:
        url = f"ws://127.0.0.1:{self.port}/ocpp/{station}"
        frame = [2, str(number), "StartTransaction", {"connectorId": connector,
                 "idTag": id_tag, "meterStart": number,
                 "timestamp": f"2026-11-25T10:00:{number:02d}Z"}]  # fmt: skip
        async with aiohttp.ClientSession() as http, http.ws_connect(
            url, protocols=("ocpp1.6",)
        ) as ws:
            await ws.send_str(json.dumps(frame))
            return json.loads((await ws.receive(timeout=30)).data)[2]["transactionId"]
