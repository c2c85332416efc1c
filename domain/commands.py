"""Commands: imperative, frozen, primitives only. Every write goes through one of these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Command:
    """Base of every command handled by CentralSystem.handle."""


@dataclass(frozen=True)
class StationCommand(Command):
    charge_point_id: str


@dataclass(frozen=True)
class RegisterBoot(StationCommand):
    vendor: str
    model: str
    details: dict[str, str] = field(default_factory=dict)  # serials, firmware, ICCID…


@dataclass(frozen=True)
class UpdateConnectorStatus(StationCommand):
    connector_id: int
    status: str
    error_code: str
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None
    timestamp: str | None = None


@dataclass(frozen=True)
class StartTransaction(StationCommand):
    connector_id: int
    id_tag: str
    meter_start: int
    timestamp: str
    reservation_id: int | None = None


@dataclass(frozen=True)
class StopTransaction(StationCommand):
    transaction_id: int
    meter_stop: int
    timestamp: str
    id_tag: str | None = None
    reason: str | None = None
    transaction_data: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RecordMeterValues(StationCommand):
    connector_id: int
    meter_value: list[dict[str, Any]]
    transaction_id: int | None = None


@dataclass(frozen=True)
class RecordDataTransfer(StationCommand):
    vendor_id: str
    message_id: str | None
    data: str | None
    status: str


@dataclass(frozen=True)
class RecordDiagnosticsStatus(StationCommand):
    status: str


@dataclass(frozen=True)
class RecordFirmwareStatus(StationCommand):
    status: str


@dataclass(frozen=True)
class RecordAuthenticationFailure(StationCommand):
    reason: str


@dataclass(frozen=True)
class RegisterStation(StationCommand):
    """Operator registration; password_hash None means security profile 0."""

    password_hash: str | None = None


@dataclass(frozen=True)
class UpsertIdTag(Command):
    id_tag: str
    status: str
    expiry_date: str | None = None
    parent_id_tag: str | None = None
    max_active_transactions: int = 1


@dataclass(frozen=True)
class RequestOperation(StationCommand):
    """Record an operator's CSMS-initiated call before it is sent."""

    action: str
    arguments: dict[str, Any]
    requested_by: str


@dataclass(frozen=True)
class RecordOperationOutcome(Command):
    operation_id: Any  # UUID
    outcome: str
    error_code: str | None = None
    error_description: str | None = None
    response: dict[str, Any] | None = None
