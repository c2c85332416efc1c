# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=…) is typed as returning Any.)
"""GraphQL output types with from_row() mappers: rows never leak into the schema."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

import strawberry

from api.graphql import enums as e
from api.graphql import operation_types as ops
from api.graphql.context import Context

if TYPE_CHECKING:
    from projections import rows

E = TypeVar("E", bound=Enum)

# OCPP 1.6 §7.43: what an absent optional SampledValue field means.
DEFAULT_MEASURAND = "Energy.Active.Import.Register"
DEFAULTS = {"context": "Sample.Periodic", "location": "Outlet", "format": "Raw"}


@strawberry.type(description="A connector's last reported status; 0 is the station.")
class Connector:
    connector_id: int
    status: e.ChargePointStatus
    error_code: e.ChargePointErrorCode
    info: str | None
    vendor_id: str | None
    vendor_error_code: str | None
    timestamp: datetime = strawberry.field(description="The station's own timestamp.")
    station_id: strawberry.Private[str]
    availability: e.AvailabilityType | None = strawberry.field(
        resolver=ops.connector_availability,
        description="As last accepted to a ChangeAvailability; null if never changed.",
    )
    scheduled_availability: e.AvailabilityType | None = strawberry.field(
        resolver=ops.connector_scheduled_availability,
        description="Answered Scheduled: takes effect when the transaction ends.",
    )

    @classmethod
    def from_row(cls, row: rows.ConnectorRow, station_id: str) -> Connector:
        return cls(
            station_id=station_id,
            connector_id=row.connector_id,
            status=e.ChargePointStatus(row.status),
            error_code=e.ChargePointErrorCode(row.error_code),
            info=row.info,
            vendor_id=row.vendor_id,
            vendor_error_code=row.vendor_error_code,
            timestamp=row.timestamp,
        )


@strawberry.type
class StationNode:
    id: strawberry.ID
    registered: bool = strawberry.field(description="Registered by an operator.")
    registration_status: e.RegistrationStatus | None = strawberry.field(
        description="Accepted once registered; else the last BootNotification answer."
    )
    online: bool
    last_seen: datetime | None
    vendor: str | None
    model: str | None
    firmware_version: str | None
    charge_point_serial_number: str | None
    charge_box_serial_number: str | None
    iccid: str | None
    imsi: str | None
    meter_type: str | None
    meter_serial_number: str | None
    last_boot_at: datetime | None
    first_seen: datetime
    diagnostics_status: e.DiagnosticsStatus | None
    firmware_status: e.FirmwareStatus | None
    connectors: list[Connector]
    configuration: list[ops.ConfigurationSetting] = strawberry.field(
        resolver=ops.station_configuration, description="By key."
    )

    @classmethod
    def from_row(cls, row: rows.StationRow) -> StationNode:
        status = row.registration_status
        return cls(
            id=strawberry.ID(row.id),
            registered=row.registered,
            online=row.online,
            registration_status=e.RegistrationStatus(status) if status else None,
            last_seen=row.last_seen,
            vendor=row.vendor,
            model=row.model,
            firmware_version=row.firmware_version,
            charge_point_serial_number=row.charge_point_serial_number,
            charge_box_serial_number=row.charge_box_serial_number,
            iccid=row.iccid,
            imsi=row.imsi,
            meter_type=row.meter_type,
            meter_serial_number=row.meter_serial_number,
            last_boot_at=row.last_boot_at,
            first_seen=row.first_seen,
            diagnostics_status=_opt(e.DiagnosticsStatus, row.diagnostics_status),
            firmware_status=_opt(e.FirmwareStatus, row.firmware_status),
            connectors=[Connector.from_row(c, row.id) for c in row.connectors],
        )


@strawberry.type
class UnknownStationNode:
    id: strawberry.ID
    attempts: int = strawberry.field(description="BootNotifications and failed logins.")
    first_seen: datetime
    last_seen: datetime
    vendor: str | None
    model: str | None
    last_answer: e.RegistrationStatus | None

    @classmethod
    def from_row(cls, row: rows.UnknownStationRow) -> UnknownStationNode:
        return cls(
            id=strawberry.ID(row.id),
            attempts=row.attempts,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            vendor=row.vendor,
            model=row.model,
            last_answer=_opt(e.RegistrationStatus, row.last_answer),
        )


@strawberry.type(
    description="One sampled value, exact OCPP strings; absent optional "
    "fields show their OCPP 1.6 defaults."
)
class SampledValue:
    value: str
    measurand: str
    unit: str | None
    phase: str | None
    context: str
    location: str
    format: str

    @classmethod
    def from_row(cls, row: rows.SampledValueRow) -> SampledValue:
        measurand = row.measurand or DEFAULT_MEASURAND
        # The Wh default holds only for energy measurands.
        unit = row.unit or ("Wh" if measurand.startswith("Energy.") else None)
        return cls(
            value=row.value,
            measurand=measurand,
            unit=unit,
            phase=row.phase,
            context=row.context or DEFAULTS["context"],
            location=row.location or DEFAULTS["location"],
            format=row.format or DEFAULTS["format"],
        )


@strawberry.type
class MeterValue:
    timestamp: datetime | None
    source: str = strawberry.field(description="MeterValues or StopTransaction.")
    sampled_values: list[SampledValue]

    @classmethod
    def from_row(cls, row: rows.MeterValueRow) -> MeterValue:
        return cls(
            timestamp=row.timestamp,
            source=row.source,
            sampled_values=[SampledValue.from_row(s) for s in row.sampled_values],
        )


@strawberry.type
class TransactionNode:
    transaction_id: int
    station_id: strawberry.ID
    connector_id: int
    id_tag: str
    authorization_status: e.AuthorizationStatus = strawberry.field(
        description="The idTagInfo status answered to StartTransaction."
    )
    reservation_id: int | None
    meter_start: int
    meter_stop: int | None
    energy_wh: int | None
    started_at: datetime
    stopped_at: datetime | None
    stop_reason: e.Reason | None
    active: bool
    closed_as_stale: bool = strawberry.field(
        description="Closed because the station started another transaction on the "
        "connector without stopping this one."
    )
    superseded_by: int | None

    @strawberry.field(description="In the order the CSMS received them.")
    async def meter_values(
        self, info: strawberry.Info[Context, None]
    ) -> list[MeterValue]:
        found = await info.context.meter_values.load(self.transaction_id)
        return [MeterValue.from_row(row) for row in found]

    @classmethod
    def from_row(cls, row: rows.TransactionRow) -> TransactionNode:
        return cls(
            transaction_id=row.transaction_id,
            station_id=strawberry.ID(row.station_id),
            connector_id=row.connector_id,
            id_tag=row.id_tag,
            authorization_status=e.AuthorizationStatus(row.authorization_status),
            reservation_id=row.reservation_id,
            meter_start=row.meter_start,
            meter_stop=row.meter_stop,
            energy_wh=row.energy_wh,
            started_at=row.started_at,
            stopped_at=row.stopped_at,
            stop_reason=_opt(e.Reason, row.stop_reason),
            active=row.active,
            closed_as_stale=row.closed_as_stale,
            superseded_by=row.superseded_by,
        )


@strawberry.type
class IdTagNode:
    id_tag: str
    status: e.AuthorizationStatus
    expiry_date: datetime | None
    parent_id_tag: str | None
    max_active_transactions: int
    active_transactions: int

    @classmethod
    def from_row(cls, row: rows.IdTagRow) -> IdTagNode:
        return cls(
            id_tag=row.id_tag,
            status=e.AuthorizationStatus(row.status),
            expiry_date=row.expiry_date,
            parent_id_tag=row.parent_id_tag,
            max_active_transactions=row.max_active_transactions,
            active_transactions=row.active_transactions,
        )


def _opt(enum: type[E], value: str | None) -> E | None:
    return enum(value) if value is not None else None
