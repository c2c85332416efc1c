"""The one outbound path (ARCHITECTURE.md §5): record the request, send the CALL on the
station's live session (here or on the node that holds it), await, record the outcome."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from adapters.ocpp import errors, validation
from adapters.ocpp.backend import Backend
from adapters.ocpp.server import OcppServer
from adapters.ocpp.session import CallQueueFull, StationDisconnected, StationOffline
from domain import commands
from domain.operation import CALL_ERROR, DISCONNECTED, OFFLINE, TIMEOUT

log = logging.getLogger(__name__)
ANSWERED = "Answered"  # outcome of an answer that has no status field (GetConfiguration…)


class Router(Protocol):
    """Reaches a station whose WebSocket another node holds (PostgreSQL only)."""

    async def call(
        self, station: str, action: str, payload: dict[str, Any], timeout: float
    ) -> Any: ...


@dataclass(frozen=True)
class OperationResult:
    operation_id: UUID
    outcome: str
    response: dict[str, Any] | None = None
    error_code: str | None = None
    error_description: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome in (CALL_ERROR, TIMEOUT, OFFLINE, DISCONNECTED)


class InvalidArguments(Exception):
    """The request breaks the OCPP 1.6 schema of the action; nothing was sent."""

    def __init__(self, error: errors.CallError) -> None:
        super().__init__(f"{error.code}: {error.description}")
        self.code, self.description = error.code, error.description


class Gateway:
    """Every CSMS-initiated call goes through call(); one per node."""

    def __init__(
        self,
        server: OcppServer,
        backend: Backend,
        *,
        timeout: float = 30.0,
        router: Router | None = None,
        observe: Callable[[str, str], None] | None = None,
    ) -> None:
        self.server = server
        self.backend = backend
        self.timeout = timeout
        self.router = router
        self._observe = observe

    async def call(
        self, station: str, action: str, arguments: dict[str, Any], requested_by: str
    ) -> OperationResult:
        payload = without_nones(arguments)  # optional arguments left out, never null
        try:  # only the schema decides, never our view of the station (trap T4)
            validation.validate_call(action, payload)
        except errors.CallError as error:
            raise InvalidArguments(error) from None
        request = commands.RequestOperation(station, action, payload, requested_by)
        operation_id: UUID = await self.backend.execute(request, [])
        result = await self._send(operation_id, station, action, payload)
        outcome = commands.RecordOperationOutcome(
            operation_id, result.outcome, result.error_code, result.error_description,
            result.response,
        )  # fmt: skip
        await self.backend.execute(outcome, [])
        if self._observe is not None:
            self._observe(action, result.outcome)
        return result

    async def _send(
        self, operation_id: UUID, station: str, action: str, payload: dict[str, Any]
    ) -> OperationResult:
        try:
            response = await self._deliver(station, action, payload)
            validation.validate_result(action, response)
        except errors.CallError as error:
            return OperationResult(operation_id, CALL_ERROR, None, error.code, error.description)
        except (TimeoutError, asyncio.TimeoutError):
            return OperationResult(operation_id, TIMEOUT, None, None,
                                   f"no answer within {self.timeout} s")  # fmt: skip
        except StationDisconnected:
            return OperationResult(operation_id, DISCONNECTED, None, None,
                                   "the station disconnected before answering")  # fmt: skip
        except StationOffline:
            return OperationResult(operation_id, OFFLINE, None, None, "station is offline")
        except CallQueueFull:
            return OperationResult(operation_id, CALL_ERROR, None, "QueueFull",
                                   "too many calls are waiting for this station")  # fmt: skip
        status = response.get("status") if isinstance(response, dict) else None
        return OperationResult(operation_id, status or ANSWERED, response)

    async def _deliver(self, station: str, action: str, payload: dict[str, Any]) -> Any:
        session = self.server.sessions.get(station)
        if session is not None:
            return await session.call(action, payload, self.timeout)
        if self.router is not None:
            return await self.router.call(station, action, payload, self.timeout)
        raise StationOffline(station)


def without_nones(value: Any) -> Any:
    """Drop None fields at every depth (rules §16.9; TC_056/TC_067 check omissions)."""
    if isinstance(value, dict):
        return {k: without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nones(v) for v in value]
    return value
