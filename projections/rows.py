"""What the read side answers: plain frozen rows, built from the view tables' rows.

Times are stored as fixed-width UTC text (projections.base.utc_text) and come back as
aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson

from domain.timestamps import parse_iso

T = TypeVar("T")
Sql = dict[str, Any]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a keyset-paginated list; `has_next` says whether more follow."""

    items: list[T]
    has_next: bool


@dataclass(frozen=True)
class ConnectorRow:
    connector_id: int  # 0 is the station itself
    status: str
    error_code: str
    info: str | None
    vendor_id: str | None
    vendor_error_code: str | None
    timestamp: datetime  # the station's, per its StatusNotification

    @classmethod
    def from_sql(cls, row: Sql) -> ConnectorRow:
        return cls(**_columns(cls, row, timestamp=_at(row["timestamp"])))


@dataclass(frozen=True)
class StationRow:
    id: str
    registered: bool
    registration_status: str | None
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
    diagnostics_status: str | None
    firmware_status: str | None
    connectors: tuple[ConnectorRow, ...]

    @classmethod
    def from_sql(cls, row: Sql, connectors: tuple[ConnectorRow, ...]) -> StationRow:
        # Presence is written by the OCPP adapter: read its time leniently.
        seen = parse_iso(row["seen"]) if isinstance(row["seen"], str) else None
        return cls(
            **_columns(
                cls,
                row,
                registered=bool(row["registered"]),
                online=bool(row["online"]),
                last_seen=seen,
                last_boot_at=_time(row["last_boot_at"]),
                first_seen=_at(row["first_seen"]),
                connectors=connectors,
            )
        )


@dataclass(frozen=True)
class UnknownStationRow:
    id: str
    attempts: int
    first_seen: datetime
    last_seen: datetime
    vendor: str | None
    model: str | None
    last_answer: str | None  # what its last BootNotification was answered

    @classmethod
    def from_sql(cls, row: Sql) -> UnknownStationRow:
        return cls(
            **_columns(
                cls,
                row,
                first_seen=_at(row["first_seen"]),
                last_seen=_at(row["last_seen"]),
            )
        )


@dataclass(frozen=True)
class SampledValueRow:
    """As the station sent it: an absent optional field is None (OCPP 1.6 §7.43)."""

    value: str
    measurand: str | None
    unit: str | None
    phase: str | None
    context: str | None
    location: str | None
    format: str | None

    @classmethod
    def from_json(cls, sampled: dict[str, Any]) -> SampledValueRow:
        names = ("measurand", "unit", "phase", "context", "location", "format")
        return cls(str(sampled.get("value", "")), *(sampled.get(n) for n in names))


@dataclass(frozen=True)
class MeterValueRow:
    timestamp: datetime | None  # None only if the station's text was unreadable
    source: str  # MeterValues | StopTransaction (its transactionData)
    sampled_values: tuple[SampledValueRow, ...]

    @classmethod
    def from_sql(cls, row: Sql) -> MeterValueRow:
        sampled = orjson.loads(row["sampled_values"])
        return cls(
            _time(row["timestamp"]),
            row["source"],
            tuple(SampledValueRow.from_json(s) for s in sampled),
        )


@dataclass(frozen=True)
class TransactionRow:
    transaction_id: int
    station_id: str
    connector_id: int
    id_tag: str
    authorization_status: str  # the idTagInfo.status answered to StartTransaction
    reservation_id: int | None
    meter_start: int
    started_at: datetime
    meter_stop: int | None
    energy_wh: int | None
    stopped_at: datetime | None
    stop_reason: str | None
    stop_id_tag: str | None
    closed_as_stale: bool
    superseded_by: int | None

    @property
    def active(self) -> bool:
        return self.stopped_at is None and not self.closed_as_stale

    @classmethod
    def from_sql(cls, row: Sql) -> TransactionRow:
        return cls(
            **_columns(
                cls,
                row,
                started_at=_at(row["started_at"]),
                stopped_at=_time(row["stopped_at"]),
                closed_as_stale=bool(row["closed_as_stale"]),
            )
        )


@dataclass(frozen=True)
class IdTagRow:
    id_tag: str
    status: str
    expiry_date: datetime | None
    parent_id_tag: str | None
    max_active_transactions: int
    active_transactions: int

    @classmethod
    def from_sql(cls, row: Sql) -> IdTagRow:
        return cls(**_columns(cls, row, expiry_date=_time(row["expiry_date"])))


def _columns(cls: type, row: Sql, **converted: Any) -> dict[str, Any]:
    """The dataclass's fields from the row's same-named columns, some converted."""
    return {f.name: row.get(f.name) for f in fields(cls)} | converted


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
