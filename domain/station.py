"""The Station aggregate: registration, boots, connector statuses, station-level records."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.dedup import RecentDigests


class Station(Aggregate):
    """A charge point, identified by its OCPP chargePointId."""

    class Identified(Aggregate.Created):
        charge_point_id: str

    class Registered(Aggregate.Event):
        password_hash: str | None

    class BootNotified(Aggregate.Event):
        vendor: str
        model: str
        details: dict[str, str]
        answered: str  # the registration status we answered

    class AuthenticationFailed(Aggregate.Event):
        reason: str

    class ConnectorStatusChanged(Aggregate.Event):
        connector_id: int
        status: str
        error_code: str
        info: str | None
        vendor_id: str | None
        vendor_error_code: str | None
        station_timestamp: datetime
        station_timestamp_raw: str | None

    class MeterValuesRecorded(Aggregate.Event):
        connector_id: int
        transaction_id: int | None
        meter_value: list[dict[str, Any]]
        digest: str

    class UnknownTransactionStopped(Aggregate.Event):
        transaction_id: int
        meter_stop: int
        stopped_at_raw: str
        reason: str | None
        id_tag: str | None
        digest: str

    class DataTransferReceived(Aggregate.Event):
        vendor_id: str
        message_id: str | None
        data: str | None
        status: str

    class ConnectorOccupied(Aggregate.Event):
        connector_id: int
        transaction: UUID

    class ConnectorReleased(Aggregate.Event):
        connector_id: int
        transaction: UUID

    class DiagnosticsStatusNotified(Aggregate.Event):
        status: str

    class FirmwareStatusNotified(Aggregate.Event):
        status: str

    @staticmethod
    @functools.lru_cache(maxsize=65536)  # uuid5 per command adds up
    def create_id(charge_point_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/stations/{charge_point_id}")

    @event(Identified)
    def __init__(self, charge_point_id: str) -> None:
        self.charge_point_id = charge_point_id
        self.registered = False
        self.password_hash: str | None = None
        self.registration_status: str | None = None  # as last answered to a boot
        self.connectors: dict[int, tuple[str, str, datetime]] = {}
        self.occupied: dict[int, UUID] = {}  # connector → open transaction
        self.recent = RecentDigests()

    def restore_snapshot_state(self) -> None:
        """JSON made the connector keys strings and the status tuples lists."""
        self.connectors = {int(k): tuple(v) for k, v in self.connectors.items()}  # type: ignore[misc]
        self.occupied = {int(k): v for k, v in self.occupied.items()}

    @property
    def accepted(self) -> bool:
        return self.registered or self.registration_status == "Accepted"

    def register(self, password_hash: str | None) -> None:
        if not self.registered or password_hash != self.password_hash:
            self._registered(password_hash)

    @event(Registered)
    def _registered(self, password_hash: str | None) -> None:
        self.registered = True
        self.password_hash = password_hash
        self.registration_status = "Accepted"

    def notify_boot(
        self, vendor: str, model: str, details: dict[str, str], answered: str
    ) -> None:
        self._boot_notified(vendor, model, details, answered)

    @event(BootNotified)
    def _boot_notified(
        self, vendor: str, model: str, details: dict[str, str], answered: str
    ) -> None:
        self.registration_status = "Accepted" if self.registered else answered

    @event(AuthenticationFailed)
    def fail_authentication(self, reason: str) -> None:
        pass

    def change_connector_status(
        self,
        connector_id: int,
        status: str,
        error_code: str,
        station_timestamp: datetime,
        station_timestamp_raw: str | None,
        info: str | None = None,
        vendor_id: str | None = None,
        vendor_error_code: str | None = None,
    ) -> None:
        # A resent identical notification (same status, error and time) changes nothing.
        if self.connectors.get(connector_id) != (status, error_code, station_timestamp):
            self._connector_status_changed(
                connector_id, status, error_code, info, vendor_id,
                vendor_error_code, station_timestamp, station_timestamp_raw,
            )  # fmt: skip

    @event(ConnectorStatusChanged)
    def _connector_status_changed(
        self,
        connector_id: int,
        status: str,
        error_code: str,
        info: str | None,
        vendor_id: str | None,
        vendor_error_code: str | None,
        station_timestamp: datetime,
        station_timestamp_raw: str | None,
    ) -> None:
        self.connectors[connector_id] = (status, error_code, station_timestamp)

    def record_meter_values(
        self, connector_id: int, transaction_id: int | None, meter_value: list[Any]
    ) -> None:
        digest = RecentDigests.digest(connector_id, transaction_id, meter_value)
        if digest not in self.recent:
            self._meter_values_recorded(connector_id, transaction_id, meter_value, digest)

    @event(MeterValuesRecorded)
    def _meter_values_recorded(
        self,
        connector_id: int,
        transaction_id: int | None,
        meter_value: list[Any],
        digest: str,
    ) -> None:
        self.recent.add(digest)

    def record_unknown_stop(
        self,
        transaction_id: int,
        meter_stop: int,
        stopped_at_raw: str,
        reason: str | None,
        id_tag: str | None,
    ) -> None:
        # Rules §1.6: kept for reconciliation, never guessed onto an open transaction.
        digest = RecentDigests.digest(transaction_id, meter_stop, stopped_at_raw, reason)
        if digest not in self.recent:
            self._unknown_transaction_stopped(
                transaction_id, meter_stop, stopped_at_raw, reason, id_tag, digest
            )

    @event(UnknownTransactionStopped)
    def _unknown_transaction_stopped(
        self,
        transaction_id: int,
        meter_stop: int,
        stopped_at_raw: str,
        reason: str | None,
        id_tag: str | None,
        digest: str,
    ) -> None:
        self.recent.add(digest)

    @event(ConnectorOccupied)
    def occupy(self, connector_id: int, transaction: UUID) -> None:
        self.occupied[connector_id] = transaction

    def release(self, connector_id: int, transaction: UUID) -> None:
        if self.occupied.get(connector_id) == transaction:
            self._connector_released(connector_id, transaction)

    @event(ConnectorReleased)
    def _connector_released(self, connector_id: int, transaction: UUID) -> None:
        del self.occupied[connector_id]

    @event(DataTransferReceived)
    def receive_data_transfer(
        self, vendor_id: str, message_id: str | None, data: str | None, status: str
    ) -> None:
        pass

    @event(DiagnosticsStatusNotified)
    def notify_diagnostics_status(self, status: str) -> None:
        pass

    @event(FirmwareStatusNotified)
    def notify_firmware_status(self, status: str) -> None:
        pass
