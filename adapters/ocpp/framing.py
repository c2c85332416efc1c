"""OCPP-J frames (J §4): parse what a station sends, build what we send."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from adapters.ocpp import errors

CALL, CALLRESULT, CALLERROR = 2, 3, 4
MAX_ID_LENGTH = 36
UNKNOWN_ID = "-1"  # no readable message id: the CALLERROR still says what went wrong


@dataclass(frozen=True)
class Call:
    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class CallResult:
    message_id: str
    payload: Any


@dataclass(frozen=True)
class CallErrorFrame:
    message_id: str
    code: str
    description: str
    details: Any


Frame = Call | CallResult | CallErrorFrame


class FrameError(errors.CallError):
    """A frame we cannot process; answered with a CALLERROR under `message_id`."""

    def __init__(self, message_id: str, code: str, description: str) -> None:
        super().__init__(code, description)
        self.message_id = message_id


def parse(text: str | bytes) -> Frame | None:
    """The frame, or None for a message type we must ignore (J §4)."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise FrameError(UNKNOWN_ID, errors.FORMATION_VIOLATION, "not valid JSON") from None
    if not isinstance(message, list) or not message:
        raise FrameError(UNKNOWN_ID, errors.FORMATION_VIOLATION, "a frame is a JSON array")
    kind = message[0]
    if kind not in (CALL, CALLRESULT, CALLERROR) or isinstance(kind, bool):
        return None
    message_id = _message_id(message)
    if kind == CALL:
        return _call(message, message_id)
    if kind == CALLRESULT and len(message) == 3:
        return CallResult(message_id, message[2])
    if kind == CALLERROR and len(message) >= 4:
        details = message[4] if len(message) > 4 else {}
        return CallErrorFrame(message_id, str(message[2]), str(message[3]), details)
    raise FrameError(message_id, errors.PROTOCOL_ERROR, "frame has the wrong elements")


def _message_id(message: list[Any]) -> str:
    if len(message) < 2 or not isinstance(message[1], str):
        raise FrameError(UNKNOWN_ID, errors.PROTOCOL_ERROR, "no message id")
    if not 0 < len(message[1]) <= MAX_ID_LENGTH:
        raise FrameError(message[1][:MAX_ID_LENGTH] or UNKNOWN_ID,
                         errors.PROTOCOL_ERROR, "message id must be 1-36 characters")  # fmt: skip
    return message[1]


def _call(message: list[Any], message_id: str) -> Call:
    if len(message) != 4:
        raise FrameError(message_id, errors.PROTOCOL_ERROR,
                         "a CALL is [2, id, action, payload]")  # fmt: skip
    action, payload = message[2], message[3]
    if not isinstance(action, str):
        raise FrameError(message_id, errors.PROTOCOL_ERROR, "action must be a string")
    if not isinstance(payload, dict):
        raise FrameError(message_id, errors.FORMATION_VIOLATION,
                         "payload must be a JSON object")  # fmt: skip
    return Call(message_id, action, payload)


def call(message_id: str, action: str, payload: dict[str, Any]) -> str:
    return orjson.dumps([CALL, message_id, action, payload], default=_decimal).decode()


def _decimal(value: object) -> float:
    # Limits are decimals with at most one digit after the point (schema multipleOf
    # 0.1, rules §10.9): send them as numbers, rounded like the ocpp package does.
    if isinstance(value, Decimal):
        return float(round(value, 1))
    raise TypeError(f"cannot serialise {type(value).__name__}")


def call_result(message_id: str, payload: dict[str, Any]) -> str:
    return orjson.dumps([CALLRESULT, message_id, payload]).decode()


def call_error(message_id: str, error: errors.CallError) -> str:
    frame = [CALLERROR, message_id, error.code, error.description, error.details]
    return orjson.dumps(frame).decode()
