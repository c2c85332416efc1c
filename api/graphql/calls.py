"""The one resolver path of every CSMS-initiated mutation: OCPP arguments from the
GraphQL ones, the call through the gateway, a failure as a typed GraphQL error."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from api.graphql.context import ApiError, CallResult, Context
from domain.operation import CALL_ERROR, DISCONNECTED, FAILURES, OFFLINE, TIMEOUT

QUEUE_FULL = "QueueFull"  # the gateway's error code for a full per-station queue
ERROR_CODES = {
    OFFLINE: "STATION_OFFLINE",
    TIMEOUT: "TIMEOUT",
    DISCONNECTED: "DISCONNECTED",
    CALL_ERROR: "CALL_ERROR",
}


class OperationError(ApiError):
    """A call that did not get the station's answer; `extensions` carry its `code`,
    and the `operationId` under which it was recorded, if it was."""

    def __init__(self, code: str, message: str, **extensions: Any) -> None:
        super().__init__(message)
        details = {k: v for k, v in extensions.items() if v is not None}
        self.extensions: dict[str, Any] = {"code": code, **details}

    @classmethod
    def of(cls, result: CallResult) -> OperationError:
        code = ERROR_CODES[result.outcome]
        if result.outcome == CALL_ERROR and result.error_code == QUEUE_FULL:
            code = "QUEUE_FULL"
        message = result.error_description or result.outcome
        if code == "CALL_ERROR":
            message = f"the station answered CALLERROR {result.error_code}: {message}"
        return cls(
            code,
            message,
            operationId=str(result.operation_id),
            errorCode=result.error_code,
            errorDescription=result.error_description,
        )


async def call_station(
    info: strawberry.Info[Context, None], station_id: str, action: str, **arguments: Any
) -> CallResult:
    """Send `action` with the OCPP fields named as the keyword arguments (snake_case);
    None fields are left out. Only the OCPP schema judges them (trap T4)."""
    context = info.context
    gateway = context.services.gateway
    if gateway is None:
        raise ApiError("this node cannot call stations")
    payload = {to_camel_case(name): _ocpp(value) for name, value in arguments.items()}
    try:
        result = await gateway.call(station_id, action, payload, _requested_by(context))
    except Exception as error:
        refusal = _schema_refusal(error)
        if refusal is None:
            raise
        raise OperationError(
            "INVALID_ARGUMENTS",
            f"{action} arguments break the OCPP 1.6 schema: {refusal[1]}",
            errorCode=refusal[0],
        ) from None
    if result.outcome in FAILURES:
        raise OperationError.of(result)
    return result


def _ocpp(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_ocpp(item) for item in value]
    to_ocpp = getattr(value, "to_ocpp", None)  # the nested inputs (charging profiles)
    return to_ocpp() if callable(to_ocpp) else value


def _schema_refusal(error: Exception) -> tuple[str, str] | None:
    """(code, description) of the gateway's InvalidArguments, which api may not
    import (layers rule): recognised by shape, anything else is unexpected."""
    code, description = (
        getattr(error, "code", None),
        getattr(error, "description", None),
    )
    if isinstance(code, str) and isinstance(description, str):
        return code, description
    return None


def _requested_by(context: Context) -> str:
    return f"graphql@{context.request.remote or 'unknown'}"
