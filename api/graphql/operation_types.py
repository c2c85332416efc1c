# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=…) is typed as returning Any.)
"""What the operations view shows: operator calls, the configuration stations reported,
and connector availability as changed by ChangeAvailability."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
import strawberry

from api.graphql import enums as e
from api.graphql.context import Context

if TYPE_CHECKING:
    from projections.operation_queries import (
        AvailabilityRow,
        ConfigurationRow,
        OperationRow,
    )

Info = strawberry.Info[Context, None]


@strawberry.type(description="One operator call to a station and what came of it.")
class OperationNode:
    operation_id: strawberry.ID
    station_id: strawberry.ID
    action: str = strawberry.field(description="The OCPP action, e.g. Reset.")
    arguments: str = strawberry.field(description="The CALL payload sent, as JSON.")
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    outcome: str | None = strawberry.field(
        description="The station's status (`Answered` for answers without one), or "
        "CallError, Timeout, Offline, Disconnected; null while in flight."
    )
    error_code: str | None = strawberry.field(description="The CALLERROR code.")
    error_description: str | None
    response: str | None = strawberry.field(description="The station's answer, JSON.")

    @classmethod
    def from_row(cls, row: OperationRow) -> OperationNode:
        return cls(
            operation_id=strawberry.ID(row.operation_id),
            station_id=strawberry.ID(row.station_id),
            action=row.action,
            arguments=_json(row.arguments),
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            completed_at=row.completed_at,
            outcome=row.outcome,
            error_code=row.error_code,
            error_description=row.error_description,
            response=_json(row.response) if row.response is not None else None,
        )


@strawberry.type(
    description="A configuration key as last learnt from the station: "
    "a GetConfiguration answer or an accepted ChangeConfiguration."
)
class ConfigurationSetting:
    key: str
    value: str | None = strawberry.field(
        description="Null if not reported (AuthorizationKey is never kept, EJ §3.10)."
    )
    readonly: bool | None = strawberry.field(
        description="Null until a GetConfiguration answer has reported the key."
    )
    reboot_required: bool = strawberry.field(
        description="Changed with RebootRequired and the station has not booted since."
    )
    updated_at: datetime

    @classmethod
    def from_row(cls, row: ConfigurationRow) -> ConfigurationSetting:
        return cls(
            key=row.key,
            value=row.value,
            readonly=row.readonly,
            reboot_required=row.reboot_required,
            updated_at=row.updated_at,
        )


async def station_configuration(root: Any, info: Info) -> list[ConfigurationSetting]:
    rows = await info.context.configuration.load(str(root.id))
    return [ConfigurationSetting.from_row(row) for row in rows]


async def connector_availability(root: Any, info: Info) -> e.AvailabilityType | None:
    row = await _availability(root, info)
    return e.AvailabilityType(row.availability) if row and row.availability else None


async def connector_scheduled_availability(
    root: Any, info: Info
) -> e.AvailabilityType | None:
    row = await _availability(root, info)
    return e.AvailabilityType(row.scheduled) if row and row.scheduled else None


async def _availability(root: Any, info: Info) -> AvailabilityRow | None:
    rows = await info.context.availability.load(root.station_id)
    return next((r for r in rows if r.connector_id == root.connector_id), None)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
