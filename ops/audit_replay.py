"""Replay of a recorded station session against a running CSMS, to reproduce a field
problem: the station's CALLs from the journal (or an exported file) are resent in
order, as that station, and each answer is printed beside the recorded one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import aiohttp

from ops.audit_journal import CALL, CALLERROR, CALLRESULT
from ops.audit_store import AuditError
from ops.output import Record

T = TypeVar("T")


@dataclass(frozen=True)
class RecordedCall:
    """A CALL the station sent, with the answer it got then (if journalled)."""

    message_id: str
    action: str
    payload: Any
    at: str
    answer: list[Any] | None = None


def recorded_calls(frames: Iterable[Record], station: str) -> list[RecordedCall]:
    """The station's CALLs in journal order, each with the answer we sent then."""
    calls: list[RecordedCall] = []
    waiting: dict[str, int] = {}
    for record in frames:
        if (
            record.get("record", "frame") != "frame"
            or record.get("stationId") != station
        ):
            continue
        frame: Any = record.get("frame")
        kind = record.get("messageType")
        if record["direction"] == "in" and kind == CALL and _is_call(frame):
            waiting[frame[1]] = len(calls)
            calls.append(RecordedCall(frame[1], frame[2], frame[3], record["at"]))
        elif record["direction"] == "out" and kind in (CALLRESULT, CALLERROR):
            index = waiting.pop(str(record.get("messageId")), None)
            if index is not None:
                calls[index] = replace(calls[index], answer=frame)
    return calls


def _is_call(frame: Any) -> bool:
    return isinstance(frame, list) and len(frame) == 4 and isinstance(frame[2], str)


def read_export(path: str) -> Iterator[Record]:
    """The frame records of a JSON-lines file written by `export` or `journal`."""
    try:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise AuditError(f"{path}:{number}: not a JSON line") from None
                if isinstance(record, dict) and "direction" in record:
                    yield record
    except OSError as error:
        raise AuditError(f"cannot read {path}: {error.strerror}") from None


async def replay_session(
    calls: list[RecordedCall],
    url: str,
    station: str,
    *,
    password: str | None = None,
    timeout: float = 30.0,
) -> AsyncIterator[Record]:
    """Send each CALL (new message ids), wait for its answer, yield both; CALLs the
    CSMS sends meanwhile are reported, not answered."""
    target = f"{url.rstrip('/')}/{station}"
    auth = aiohttp.BasicAuth(station, password) if password else None
    async with aiohttp.ClientSession() as http:
        ws = await _connect(http, target, auth)
        async with ws:
            for number, call in enumerate(calls, 1):
                message_id = f"replay-{number}"
                await ws.send_str(
                    json.dumps([CALL, message_id, call.action, call.payload])
                )
                answer, unsolicited, error = await _answer(ws, message_id, timeout)
                for frame in unsolicited:
                    yield {
                        "record": "unsolicited",
                        "stationId": station,
                        "frame": frame,
                    }
                yield _result(station, message_id, call, answer, error)
                if ws.closed:
                    return


async def _connect(
    http: aiohttp.ClientSession, target: str, auth: aiohttp.BasicAuth | None
) -> aiohttp.ClientWebSocketResponse:
    try:
        return await http.ws_connect(target, protocols=("ocpp1.6",), auth=auth)
    except aiohttp.WSServerHandshakeError as error:
        raise AuditError(
            f"{target} refused the station: {error.status} {error.message}"
        ) from None
    except (aiohttp.ClientError, OSError) as error:
        raise AuditError(f"cannot connect to {target}: {error}") from None


async def _answer(
    ws: aiohttp.ClientWebSocketResponse, message_id: str, timeout: float
) -> tuple[list[Any] | None, list[Any], str | None]:
    """(our answer, CSMS CALLs received meanwhile, what went wrong)."""
    unsolicited: list[Any] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            message = await ws.receive(timeout=max(deadline - loop.time(), 0.001))
        except TimeoutError:
            return None, unsolicited, f"no answer within {timeout:g}s"
        if message.type is not aiohttp.WSMsgType.TEXT:
            return None, unsolicited, "the CSMS closed the connection"
        frame = json.loads(message.data)
        if frame[0] in (CALLRESULT, CALLERROR) and frame[1] == message_id:
            return frame, unsolicited, None
        if frame[0] == CALL:
            unsolicited.append(frame)


def _result(
    station: str, message_id: str, call: RecordedCall, answer: Any, error: str | None
) -> Record:
    record: Record = {
        "record": "replay",
        "stationId": station,
        "action": call.action,
        "messageId": message_id,
        "recordedMessageId": call.message_id,
        "recordedAt": call.at,
        "request": call.payload,
        "answer": answer,
        "recordedAnswer": call.answer,
    }
    if error is not None:
        record["error"] = error
    return record


def iterate(source: AsyncIterator[T]) -> Iterator[T]:
    """An async generator as a plain iterator (on its own event loop), so the CLI
    prints its records as they come, like every other command's."""
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                yield loop.run_until_complete(anext(source))
            except StopAsyncIteration:
                return
    finally:
        loop.run_until_complete(source.aclose())  # type: ignore[attr-defined]
        loop.close()
