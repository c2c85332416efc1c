"""A scripted charge point for end-to-end tests: real WebSocket, real frames."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from typing import Any

import aiohttp
from ocpp.messages import get_validator


def now_iso() -> str:
    """Certified chargers send whole seconds: 2021-11-03T10:00:00Z."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ScriptedStation:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    async def send_raw(self, text: str) -> list[Any]:
        await self.ws.send_str(text)
        return await self.receive()

    async def receive(self) -> list[Any]:
        message = await self.ws.receive(timeout=10)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        return json.loads(message.data)  # type: ignore[no-any-return]

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Send a CALL, return the whole answer frame; a CALLRESULT is checked
        against the 1.6 response schema (trap T8: never add or miss fields)."""
        message_id = str(next(self._ids))
        answer = await self.send_raw(json.dumps([2, message_id, action, payload]))
        assert answer[1] == message_id
        if answer[0] == 3:
            get_validator(3, action, "1.6").validate(answer[2])
        return answer

    async def result(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = await self.call(action, payload)
        assert answer[0] == 3, answer
        return answer[2]  # type: ignore[no-any-return]

    # -- the usual messages ------------------------------------------------------------

    async def boot(self, vendor: str = "ACME", model: str = "X1", **extra: Any) -> dict[str, Any]:
        payload = {"chargePointVendor": vendor, "chargePointModel": model, **extra}
        return await self.result("BootNotification", payload)

    async def status(self, connector: int, status: str, error: str = "NoError",
                     **extra: Any) -> dict[str, Any]:  # fmt: skip
        payload = {"connectorId": connector, "errorCode": error, "status": status, **extra}
        return await self.result("StatusNotification", payload)

    async def authorize(self, id_tag: str) -> dict[str, Any]:
        return await self.result("Authorize", {"idTag": id_tag})

    async def start(self, connector: int, id_tag: str, meter: int = 0,
                    timestamp: str | None = None, **extra: Any) -> dict[str, Any]:  # fmt: skip
        payload = {"connectorId": connector, "idTag": id_tag, "meterStart": meter,
                   "timestamp": timestamp or now_iso(), **extra}  # fmt: skip
        return await self.result("StartTransaction", payload)

    async def stop(self, transaction_id: int, meter: int, timestamp: str | None = None,
                   **extra: Any) -> dict[str, Any]:  # fmt: skip
        payload = {"transactionId": transaction_id, "meterStop": meter,
                   "timestamp": timestamp or now_iso(), **extra}  # fmt: skip
        return await self.result("StopTransaction", payload)

    async def close(self) -> None:
        await self.ws.close()


class AnsweringStation(ScriptedStation):
    """Also plays the charger's side of CSMS-initiated calls."""

    async def expect_call(self, action: str | None = None) -> list[Any]:
        frame = await self.receive()
        assert frame[0] == 2, frame
        if action is not None:
            assert frame[2] == action, frame
        return frame

    async def reply(self, message_id: str, payload: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps([3, message_id, payload]))

    async def reply_error(self, message_id: str, code: str, description: str = "") -> None:
        await self.ws.send_str(json.dumps([4, message_id, code, description, {}]))
