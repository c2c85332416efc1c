"""StationSession: one station's live WebSocket; answers its CALLs, carries ours."""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from adapters.ocpp import errors, framing, validation
from adapters.ocpp.backend import Backend
from adapters.ocpp.data_transfer import DataTransferRegistry
from adapters.ocpp.handlers import HANDLERS
from domain.commands import Command
from domain.exceptions import StationNotAcceptedError

log = logging.getLogger(__name__)

Observer = Callable[[str, str, float], None]  # (action, outcome, seconds) for metrics


class StationDisconnected(Exception):
    """The station's socket closed while we waited for its answer."""


class StationOffline(Exception):
    """No node holds a live session for the station."""


class CallQueueFull(Exception):
    """Too many operator calls are already waiting for this station."""


class StationSession:
    """A connected charge point. Its CALLs are answered in order, one at a time (the
    station waits for each answer); our own CALLs go out one at a time (J §4.1.1)."""

    def __init__(
        self,
        station_id: str,
        ws: web.WebSocketResponse,
        backend: Backend,
        *,
        accepted: bool,
        data_transfer: DataTransferRegistry,
        max_message_size: int,
        call_queue: int = 16,
        observe: Observer | None = None,
    ) -> None:
        self.station_id = station_id
        self.ws = ws
        self.backend = backend
        self.accepted = accepted  # "Accepted" belongs to the identity (trap T2)
        self.data_transfer = data_transfer
        self.max_message_size = max_message_size
        self._observe = observe
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._call_lock = asyncio.Lock()
        self._call_queue = call_queue
        self._queued = 0
        self._ids = itertools.count(1)
        self._prefix = uuid.uuid4().hex[:8]
        self._inbound: tuple[Any, ...] | None = None  # journal row of the CALL at hand
        self._owned: Awaitable[Any] | None = None

    async def serve(self, owned: Awaitable[Any] | None = None) -> None:
        """Answer the station until it leaves; no answer goes out before `owned`
        (this node's ownership of the station) is committed."""
        self._owned = owned
        async for message in self.ws:
            if message.type is WSMsgType.TEXT:
                await self._on_text(message.data)
            elif message.type is WSMsgType.BINARY:
                await self._on_text(message.data)
            elif message.type is WSMsgType.ERROR:
                log.info("station %s socket error: %s", self.station_id, self.ws.exception())
        self._fail_pending()

    async def _on_text(self, text: str | bytes) -> None:
        received = datetime.now(UTC)
        if len(text) > self.max_message_size:
            error = framing.FrameError(_peek_id(text), errors.GENERIC_ERROR,
                                       f"message exceeds {self.max_message_size} bytes")  # fmt: skip
            await self._send_answer(received, None, text[:256], error)
            return
        try:
            frame = framing.parse(text)
        except framing.FrameError as error:
            await self._send_answer(received, None, text, error)
            return
        if isinstance(frame, framing.Call):
            await self._answer(received, frame, text)
        elif frame is not None:
            self._journal_only(received, frame, text)
            self._resolve(frame)

    async def _answer(self, received: datetime, call: framing.Call, text: str | bytes) -> None:
        self._inbound = self._row("in", received, framing.CALL, call.message_id,
                                  call.action, text)  # fmt: skip
        started = asyncio.get_running_loop().time()
        try:
            payload = await self._dispatch(call)
            answer: str = framing.call_result(call.message_id, payload)
            outcome = "ok"
        except errors.CallError as error:
            answer, outcome = framing.call_error(call.message_id, error), error.code
        await self._send(answer)
        sent = datetime.now(UTC)
        out = self._row("out", sent, framing.CALLRESULT, call.message_id, call.action, answer)
        # The incoming frame was committed with the command's events when there was
        # one; otherwise it rides along with the answer in the next group commit.
        rows = [out] if self._inbound is None else [self._inbound, out]
        self._inbound = None
        self._record_seen(rows, sent)
        if self._observe is not None:
            self._observe(call.action, outcome, asyncio.get_running_loop().time() - started)

    async def _send(self, text: str) -> None:
        """Answer; a station that hung up meanwhile is no error of ours (its events
        are committed, and it resends what it did not see answered)."""
        if self._owned is not None:
            await self._owned  # committed with or before the first command: no wait
            self._owned = None
        try:
            await self.ws.send_str(text)
        except ConnectionResetError:
            log.info("station %s left before its answer was sent", self.station_id)

    async def execute(self, command: Command) -> Any:
        """Commit a command; the incoming frame's journal row is committed with it."""
        row, self._inbound = self._inbound, None
        return await self.backend.execute(command, [row] if row else [])

    async def _dispatch(self, call: framing.Call) -> dict[str, Any]:
        handler = HANDLERS.get(call.action)
        if handler is None:
            if validation.known_action(call.action):  # a 1.6 action, not ours to answer
                raise errors.CallError(errors.NOT_SUPPORTED, f"{call.action} is not supported")
            raise errors.CallError(errors.NOT_IMPLEMENTED, f"unknown action {call.action}")
        validation.validate_call(call.action, call.payload)
        if not self.accepted and call.action != "BootNotification":
            raise errors.CallError(errors.SECURITY_ERROR, "station is not Accepted")
        try:
            payload = await handler(self, call.payload)
        except StationNotAcceptedError:
            raise errors.CallError(errors.SECURITY_ERROR, "station is not Accepted") from None
        except Exception:
            # Nothing was committed, so no answer but an error: the station retries.
            log.exception("station %s %s failed", self.station_id, call.action)
            raise errors.CallError(errors.INTERNAL_ERROR, "could not commit; retry") from None
        return payload

    async def _send_answer(
        self, received: datetime, action: str | None, text: str | bytes,
        error: framing.FrameError,
    ) -> None:  # fmt: skip
        answer = framing.call_error(error.message_id, error)
        await self._send(answer)
        rows = [
            self._row("in", received, None, error.message_id, action, text),
            self._row("out", datetime.now(UTC), framing.CALLERROR, error.message_id,
                      action, answer),
        ]  # fmt: skip
        self._record_seen(rows, received)

    # -- CSMS-initiated calls ----------------------------------------------------------

    async def call(self, action: str, payload: dict[str, Any], timeout: float) -> Any:
        """Send one CALL and await its answer; raises CallError, TimeoutError or
        StationDisconnected or CallQueueFull. Callers queue on the lock in order:
        one outstanding CALL per station (J §4.1.1)."""
        if self._queued >= self._call_queue:
            raise CallQueueFull(self.station_id)
        self._queued += 1
        try:
            async with self._call_lock:
                return await self._call(action, payload, timeout)
        finally:
            self._queued -= 1

    async def _call(self, action: str, payload: dict[str, Any], timeout: float) -> Any:
        if self.ws.closed:
            raise StationDisconnected(self.station_id)
        message_id = f"{self._prefix}-{next(self._ids)}"
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        text = framing.call(message_id, action, payload)
        try:
            try:
                await self.ws.send_str(text)
            except ConnectionResetError:
                raise StationDisconnected(self.station_id) from None
            row = self._row("out", datetime.now(UTC), framing.CALL, message_id, action, text)
            self.backend.record([row], [])
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(message_id, None)

    def _resolve(self, frame: framing.Frame) -> None:
        future = self._pending.get(frame.message_id)
        if future is None or future.done():
            log.info("station %s answered unknown id %s", self.station_id, frame.message_id)
            return
        if isinstance(frame, framing.CallResult):
            future.set_result(frame.payload)
        elif isinstance(frame, framing.CallErrorFrame):
            future.set_exception(errors.CallError(frame.code, frame.description, frame.details))

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(StationDisconnected(self.station_id))

    def _journal_only(self, received: datetime, frame: framing.Frame, text: str | bytes) -> None:
        kind = framing.CALLRESULT if isinstance(frame, framing.CallResult) else framing.CALLERROR
        row = self._row("in", received, kind, frame.message_id, None, text)
        self._record_seen([row], received)

    def _record_seen(self, rows: list[tuple[Any, ...]], at: datetime) -> None:
        """Journal rows for the next commit, and the station's presence: any message
        is a sign of life (Spec §4.6); online stays as the connect said (None)."""
        self.backend.record(rows, [(self.station_id, None, at.isoformat(), None)])

    def _row(
        self, direction: str, at: datetime, kind: int | None, message_id: str | None,
        action: str | None, text: str | bytes,
    ) -> tuple[Any, ...]:  # fmt: skip
        body = text.decode(errors="replace") if isinstance(text, bytes) else text
        return (self.station_id, direction, at.isoformat(), kind, message_id, action, body)


def _peek_id(text: str | bytes) -> str:
    """The message id of an oversized frame, read from its first bytes only."""
    head = text[:64].decode(errors="replace") if isinstance(text, bytes) else text[:64]
    parts = head.split('"')
    return parts[1] if len(parts) > 2 and len(parts[1]) <= framing.MAX_ID_LENGTH else "-1"


