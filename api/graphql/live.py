# mypy: disable-error-code="untyped-decorator"
# (strawberry.subscription(description=…) is typed as returning Any.)
"""The `stationEvents` subscription (graphql-transport-ws): what happens at stations,
as it is stored — status changes, transactions starting and stopping, and the outcomes
of operator calls."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from api.graphql import enums as e
from api.graphql.context import ApiError, Context
from projections import live, live_events


@strawberry.interface(description="Something stored about one station.")
class StationEvent:
    station_id: strawberry.ID
    recorded_at: datetime = strawberry.field(description="When the CSMS stored it.")


@strawberry.type(description="A StatusNotification that changed a connector.")
class ConnectorStatusEvent(StationEvent):
    connector_id: int
    status: e.ChargePointStatus
    error_code: e.ChargePointErrorCode
    info: str | None
    timestamp: datetime = strawberry.field(description="The station's own timestamp.")


@strawberry.type
class TransactionStartedEvent(StationEvent):
    transaction_id: int
    connector_id: int
    id_tag: str
    meter_start: int
    started_at: datetime
    authorization_status: e.AuthorizationStatus


@strawberry.type
class TransactionStoppedEvent(StationEvent):
    transaction_id: int
    connector_id: int
    meter_stop: int
    stopped_at: datetime
    reason: e.Reason


@strawberry.type(description="An operator call got its outcome (see `operation`).")
class OperationCompletedEvent(StationEvent):
    operation_id: strawberry.ID
    action: str
    outcome: str
    # Not `errorCode`: a query selecting ConnectorStatusEvent's enum errorCode too
    # would be invalid (fields of one name must agree in type).
    call_error_code: str | None = strawberry.field(
        description="The CALLERROR's errorCode (OperationNode.errorCode)."
    )
    error_description: str | None


EVENT_TYPES = (
    ConnectorStatusEvent,
    TransactionStartedEvent,
    TransactionStoppedEvent,
    OperationCompletedEvent,
)


def to_node(event: live_events.LiveEvent) -> StationEvent:
    station, at = strawberry.ID(event.station_id), event.recorded_at
    if isinstance(event, live_events.ConnectorStatusChanged):
        return ConnectorStatusEvent(
            station_id=station,
            recorded_at=at,
            connector_id=event.connector_id,
            status=e.ChargePointStatus(event.status),
            error_code=e.ChargePointErrorCode(event.error_code),
            info=event.info,
            timestamp=event.timestamp,
        )
    if isinstance(event, live_events.TransactionStarted):
        return TransactionStartedEvent(
            station_id=station,
            recorded_at=at,
            transaction_id=event.transaction_id,
            connector_id=event.connector_id,
            id_tag=event.id_tag,
            meter_start=event.meter_start,
            started_at=event.started_at,
            authorization_status=e.AuthorizationStatus(event.authorization_status),
        )
    if isinstance(event, live_events.TransactionStopped):
        return TransactionStoppedEvent(
            station_id=station,
            recorded_at=at,
            transaction_id=event.transaction_id,
            connector_id=event.connector_id,
            meter_stop=event.meter_stop,
            stopped_at=event.stopped_at,
            reason=e.Reason(event.reason),
        )
    assert isinstance(event, live_events.OperationCompleted)
    return OperationCompletedEvent(
        station_id=station,
        recorded_at=at,
        operation_id=strawberry.ID(event.operation_id),
        action=event.action,
        outcome=event.outcome,
        call_error_code=event.error_code,
        error_description=event.error_description,
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Live events of one station, or of all "
        "stations without `stationId`, from now on."
    )
    async def station_events(
        self,
        info: strawberry.Info[Context, None],
        station_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[StationEvent, None]:
        hub = info.context.services.live
        if hub is None:
            raise ApiError("live events are not available on this node")
        try:
            with hub.subscribe(station_id) as events:
                async for event in events:
                    yield to_node(event)
        except live.SubscriberTooSlow as dropped:
            raise ApiError(f"subscription ended: {dropped}") from None
