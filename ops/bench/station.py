"""One simulated charge point: a WebSocket, one outstanding CALL, charger answers."""

from __future__ import annotations

import asyncio
import errno
from time import perf_counter
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from aiohttp import WSMsgType

from ops.bench.answers import answer_csms_call
from ops.bench.stats import Stats
from ops.bench.workload import Call, Payload, advance, boot_payload, next_call

if TYPE_CHECKING:
    from ops.bench.config import BenchConfig

# No receive timeout on the socket itself: each wait carries its own deadline.
_WS_TIMEOUT = aiohttp.ClientWSTimeout(ws_receive=None, ws_close=2.0)
_CALL, _RESULT, _ERROR = 2, 3, 4


class StationGone(Exception):
    """The WebSocket closed under a station; it reconnects or is counted lost."""


class Fleet:
    """What every station of one worker shares: config, HTTP session, current stats."""

    def __init__(self, cfg: BenchConfig, session: aiohttp.ClientSession) -> None:
        self.cfg = cfg
        self.session = session
        self.stats = Stats()  # swapped at the window's edges: late answers don't count


class Station:
    """A simulated charger; slots keep 20,000 of them small."""

    __slots__ = (
        "_seq",
        "_triggered",
        "booted",
        "connector",
        "connectors",
        "fleet",
        "id",
        "index",
        "meter_wh",
        "step",
        "tx_id",
        "ws",
    )

    def __init__(self, fleet: Fleet, index: int) -> None:
        self.fleet = fleet
        self.index = index
        self.id = fleet.cfg.station_id(index)
        self.connectors = fleet.cfg.connectors
        self.connector = 1 + index % self.connectors
        self.ws: aiohttp.ClientWebSocketResponse[bool] | None = None
        self.booted = False
        self.step = 0
        self.tx_id: int | None = None
        self.meter_wh = 0
        self._seq = 0
        self._triggered: list[Call] | None = None

    @property
    def id_tag(self) -> str:
        return self.fleet.cfg.id_tag(self.index)

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def connect(self, deadline: float) -> bool:
        """Open the WebSocket, retrying with back-off 1, 2, 4… s like a real charger."""
        delay = 1.0
        while True:
            failure = await self._try_connect()
            if failure is None:
                return True
            self.fleet.stats.error(failure)
            if perf_counter() + delay >= deadline:
                return False
            self.fleet.stats.events["connect_retries"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.fleet.cfg.backoff_cap)

    async def _try_connect(self) -> str | None:
        cfg = self.fleet.cfg
        password = cfg.password(self.id)
        # OCPP-J §6.2.2: user = identity, password = AuthorizationKey.
        headers = (
            {}
            if password is None
            else {"Authorization": aiohttp.encode_basic_auth(self.id, password)}
        )
        try:
            ws = await self.fleet.session.ws_connect(
                cfg.station_url(self.id),
                protocols=("ocpp1.6",),
                headers=headers,
                decode_text=False,  # orjson parses bytes; skip the str decode
                timeout=_WS_TIMEOUT,
            )
        except aiohttp.WSServerHandshakeError as error:
            return f"connect:http_{error.status}"
        except aiohttp.ClientConnectorError as error:
            code = error.os_error.errno or 0
            return f"connect:{'refused' if code == errno.ECONNREFUSED else code}"
        except TimeoutError:
            return "connect:timeout"
        except (aiohttp.ClientError, OSError):
            return "connect:error"
        if ws.protocol != "ocpp1.6":  # OCPP-J §3.2: no agreed subprotocol, no OCPP
            await ws.close()
            return "connect:no_subprotocol"
        self.ws, self._seq = ws, 0
        return None

    async def boot(self, deadline: float) -> bool:
        """BootNotification until Accepted; Pending waits its interval (§4.2)."""
        while True:
            answer = await self.call("BootNotification", boot_payload(self.id))
            status = answer.get("status") if answer is not None else None
            if status == "Accepted":
                self.booted = True
                return True
            if status is not None:
                self.fleet.stats.error(f"status:BootNotification={status}")
            if status != "Pending" or perf_counter() >= deadline:
                return False  # Rejected, or no answer: this station stays down
            interval = answer.get("interval") if answer else None
            wait = interval if isinstance(interval, int) and interval > 0 else 1
            await self.idle_until(min(deadline, perf_counter() + wait))
            self._triggered = None  # a triggered Boot is what we send next anyway

    async def call(self, action: str, payload: Payload) -> Payload | None:
        """Send one CALL and wait for its answer, answering CSMS CALLs meanwhile."""
        self._seq += 1
        uid = str(self._seq)  # OCPP-J §4: unique per connection, ≤ 36 chars
        started = perf_counter()
        await self._send(orjson.dumps([_CALL, uid, action, payload]))
        until = started + self.fleet.cfg.call_timeout
        while True:
            frame = await self._receive(until)
            if frame is None:
                self.fleet.stats.error("timeout", action)
                return None
            if frame[0] == _CALL:
                await self._answer(frame)  # CALLs may cross (OCPP-J §4.1.1)
            elif frame[1] != uid:
                continue  # a late answer to a CALL that already timed out
            elif frame[0] == _RESULT:
                self.fleet.stats.answer(action, perf_counter() - started)
                return frame[2] if isinstance(frame[2], dict) else {}
            else:
                self.fleet.stats.error(f"CALLERROR:{frame[2]}", action)
                return None

    async def session_step(self) -> None:
        """Send what a charger would send next: triggered messages, then the mix."""
        await self.send_triggered()
        action, payload = next_call(self)
        answer = await self.call(action, payload)
        problem = advance(self, action, answer)
        if problem is not None:
            self.fleet.stats.error(problem, action)

    async def send_triggered(self) -> None:
        while self._triggered:
            action, payload = self._triggered.pop(0)
            await self.call(action, payload)

    async def idle_until(self, until: float) -> None:
        """Read and answer until `until`, or until a triggered message needs sending."""
        while not self._triggered:
            frame = await self._receive(until)
            if frame is None:
                return
            if frame[0] == _CALL:
                await self._answer(frame)

    async def close(self) -> None:
        ws, self.ws = self.ws, None
        if ws is not None:
            await ws.close()

    async def _answer(self, frame: list[Any]) -> None:
        uid, action = frame[1], str(frame[2])
        payload = frame[3] if len(frame) > 3 and isinstance(frame[3], dict) else {}
        answer, follow_up = answer_csms_call(action, payload, self.id, self.connectors)
        self.fleet.stats.csms_calls[action] += 1
        if answer is None:
            reply: list[Any] = [_ERROR, uid, "NotImplemented", "", {}]
        else:
            reply = [_RESULT, uid, answer]
        await self._send(orjson.dumps(reply))
        if follow_up:
            self._triggered = [*(self._triggered or ()), *follow_up]

    async def _send(self, data: bytes) -> None:
        if self.ws is None:
            raise StationGone(self.id)
        try:
            await self.ws.send_frame(data, WSMsgType.TEXT)
        except (ConnectionError, aiohttp.ClientError) as error:
            raise await self._gone() from error

    async def _receive(self, until: float) -> list[Any] | None:
        """The next well-formed frame, or None once `until` passes."""
        while self.ws is not None and (left := until - perf_counter()) > 0:
            try:
                message = await self.ws.receive(left)
            except TimeoutError:
                return None
            if message.type is not WSMsgType.TEXT:
                if message.type is WSMsgType.BINARY:  # OCPP-J frames are text
                    self.fleet.stats.error("bad_frame")
                    continue
                raise await self._gone()
            try:
                frame = orjson.loads(message.data)
            except orjson.JSONDecodeError:
                frame = None
            if isinstance(frame, list) and len(frame) >= 3 and frame[0] in (2, 3, 4):
                return frame
            self.fleet.stats.error("bad_frame")
        if self.ws is None:
            raise StationGone(self.id)
        return None

    async def _gone(self) -> StationGone:
        self.fleet.stats.error("connection_closed")
        await self.close()
        return StationGone(self.id)
