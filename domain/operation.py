"""The Operation aggregate: one CSMS-initiated call, who asked for it, and its outcome."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

# Outcomes that are not a station's status answer (ARCHITECTURE.md §5).
CALL_ERROR, TIMEOUT, OFFLINE, DISCONNECTED = "CallError", "Timeout", "Offline", "Disconnected"
FAILURES = (CALL_ERROR, TIMEOUT, OFFLINE, DISCONNECTED)


class Operation(Aggregate):
    """An operator's request to a station (Reset, RemoteStart…) and what came of it.

    Never re-sent on its own: an operation whose node died before the answer is
    completed as Disconnected by whoever finds it, and the operator decides."""

    class Requested(Aggregate.Created):
        charge_point_id: str
        action: str
        arguments: dict[str, Any]
        requested_by: str

    class Completed(Aggregate.Event):
        outcome: str  # the station's status, or one of FAILURES
        error_code: str | None
        error_description: str | None
        response: dict[str, Any] | None

        def apply(self, operation: Operation) -> None:
            operation.outcome = self.outcome

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event(Requested)
    def __init__(
        self, charge_point_id: str, action: str, arguments: dict[str, Any], requested_by: str
    ) -> None:
        self.charge_point_id = charge_point_id
        self.action = action
        self.arguments = arguments
        self.outcome: str | None = None

    def complete(
        self,
        outcome: str,
        error_code: str | None = None,
        error_description: str | None = None,
        response: dict[str, Any] | None = None,
    ) -> None:
        if self.outcome is None:  # the first outcome stands
            self.trigger_event(self.Completed, outcome=outcome, error_code=error_code,
                               error_description=error_description,
                               response=response)  # fmt: skip
