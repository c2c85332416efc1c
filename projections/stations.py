"""Stations view: registration, boot details, connectors, station-level meter values."""

from __future__ import annotations

from typing import Any

from domain.station import Station
from projections.base import (
    Events,
    SqlProjection,
    Table,
    meter_value_rows,
    topics,
    utc_text,
)
from projections.database import Cursor, Row

# BootNotification fields besides vendor and model, as the event's `details` keys.
BOOT_DETAILS = {
    "chargePointSerialNumber": "charge_point_serial_number",
    "chargeBoxSerialNumber": "charge_box_serial_number",
    "firmwareVersion": "firmware_version",
    "iccid": "iccid",
    "imsi": "imsi",
    "meterType": "meter_type",
    "meterSerialNumber": "meter_serial_number",
}

STATIONS = Table(
    "stations_v1",
    (
        ("id", "TEXT NOT NULL"),
        ("uuid", "TEXT NOT NULL"),
        ("registered", "INTEGER NOT NULL"),
        ("registration_status", "TEXT"),
        ("vendor", "TEXT"),
        ("model", "TEXT"),
        *((column, "TEXT") for column in BOOT_DETAILS.values()),
        ("last_boot_at", "TEXT"),
        ("first_seen", "TEXT NOT NULL"),
        ("diagnostics_status", "TEXT"),
        ("firmware_status", "TEXT"),
    ),
    key=("id",),
    unique=(("uuid",),),
    indexes=(("registration_status", "id"),),
)
CONNECTORS = Table(
    "stations_v1_connectors",
    (
        ("station_id", "TEXT NOT NULL"),
        ("connector_id", "INTEGER NOT NULL"),
        ("status", "TEXT NOT NULL"),
        ("error_code", "TEXT NOT NULL"),
        ("info", "TEXT"),
        ("vendor_id", "TEXT"),
        ("vendor_error_code", "TEXT"),
        ("timestamp", "TEXT NOT NULL"),
    ),
    key=("station_id", "connector_id"),
    indexes=(("status", "station_id"),),
)
# Meter values outside a known transaction (connector 0, main meter, unknown ids).
METER_VALUES = Table(
    "stations_v1_meter_values",
    (
        ("station_id", "TEXT NOT NULL"),
        ("position", "BIGINT NOT NULL"),
        ("idx", "INTEGER NOT NULL"),
        ("connector_id", "INTEGER NOT NULL"),
        ("transaction_id", "BIGINT"),
        ("timestamp", "TEXT"),
        ("timestamp_raw", "TEXT"),
        ("sampled_values", "TEXT NOT NULL"),
    ),
    key=("station_id", "position", "idx"),
)


class _Batch:
    def __init__(self, stations: dict[str, Row]) -> None:
        self.stations = stations  # by aggregate id (text)
        self.touched: set[str] = set()
        self.connectors: dict[tuple[str, int], Row] = {}
        self.meter_values: list[Row] = []

    def station(self, event: Any) -> Row:
        key = str(event.originator_id)
        self.touched.add(key)
        return self.stations[key]


class StationsProjection(SqlProjection):
    """Every station the CSMS has heard of, with what it last told us."""

    name = "stations_v1"
    tables = (STATIONS, CONNECTORS, METER_VALUES)
    apply_cost = 0.4
    topics = topics(
        Station.Identified,
        Station.Registered,
        Station.BootNotified,
        Station.ConnectorStatusChanged,
        Station.MeterValuesRecorded,
        Station.DiagnosticsStatusNotified,
        Station.FirmwareStatusNotified,
    )

    def apply(self, cur: Cursor, events: Events) -> None:
        known = {str(e.originator_id) for _, e in events}
        batch = _Batch(self.load(cur, STATIONS, known))
        for position, event in events:
            handler = _HANDLERS.get(type(event))
            if handler is not None:
                handler(batch, position, event)
        touched = [batch.stations[key] for key in sorted(batch.touched)]
        self.write(cur, STATIONS, touched)
        self.write(cur, CONNECTORS, list(batch.connectors.values()))
        self.write(cur, METER_VALUES, batch.meter_values)


def _identified(batch: _Batch, position: int, event: Station.Identified) -> None:
    key = str(event.originator_id)
    row: Row = dict.fromkeys(STATIONS.column_names)
    row.update(
        id=event.charge_point_id,
        uuid=str(event.originator_id),
        registered=0,
        first_seen=utc_text(event.timestamp),
    )
    batch.stations[key] = row
    batch.touched.add(key)


def _registered(batch: _Batch, position: int, event: Station.Registered) -> None:
    batch.station(event).update(registered=1, registration_status="Accepted")


def _boot_notified(batch: _Batch, position: int, event: Station.BootNotified) -> None:
    row = batch.station(event)
    # A boot reports the station as it is now: a detail it leaves out is unknown.
    row.update({column: event.details.get(key) for key, column in BOOT_DETAILS.items()})
    status = "Accepted" if row["registered"] else event.answered
    row.update(
        vendor=event.vendor,
        model=event.model,
        registration_status=status,
        last_boot_at=utc_text(event.timestamp),
    )


def _connector_status_changed(
    batch: _Batch, position: int, event: Station.ConnectorStatusChanged
) -> None:
    station_id = batch.station(event)["id"]
    batch.connectors[(station_id, event.connector_id)] = {
        "station_id": station_id,
        "connector_id": event.connector_id,
        "status": event.status,
        "error_code": event.error_code,
        "info": event.info,
        "vendor_id": event.vendor_id,
        "vendor_error_code": event.vendor_error_code,
        "timestamp": utc_text(event.station_timestamp),
    }


def _meter_values_recorded(
    batch: _Batch, position: int, event: Station.MeterValuesRecorded
) -> None:
    station_id = batch.station(event)["id"]
    for idx, (at, raw, sampled) in enumerate(meter_value_rows(event.meter_value)):
        batch.meter_values.append(
            {
                "station_id": station_id,
                "position": position,
                "idx": idx,
                "connector_id": event.connector_id,
                "transaction_id": event.transaction_id,
                "timestamp": at,
                "timestamp_raw": raw,
                "sampled_values": sampled,
            }
        )


def _diagnostics(batch: _Batch, position: int, event: Any) -> None:
    batch.station(event)["diagnostics_status"] = event.status


def _firmware(batch: _Batch, position: int, event: Any) -> None:
    batch.station(event)["firmware_status"] = event.status


_HANDLERS: dict[type, Any] = {
    Station.Identified: _identified,
    Station.Registered: _registered,
    Station.BootNotified: _boot_notified,
    Station.ConnectorStatusChanged: _connector_status_changed,
    Station.MeterValuesRecorded: _meter_values_recorded,
    Station.DiagnosticsStatusNotified: _diagnostics,
    Station.FirmwareStatusNotified: _firmware,
}
