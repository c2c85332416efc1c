"""Read-only queries over the operations view: operator calls, station configuration,
connector availability. SqlQueries (projections.queries) mixes these in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import orjson

from projections import rows as r
from projections.database import Database, Row
from projections.operations import AVAILABILITY, CONFIGURATION, OPERATIONS


@dataclass(frozen=True)
class OperationRow:
    operation_id: str
    position: int
    station_id: str
    action: str
    arguments: dict[str, Any]
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    outcome: str | None  # None while the call is in flight
    error_code: str | None
    error_description: str | None
    response: dict[str, Any] | None

    @classmethod
    def from_sql(cls, row: Row) -> OperationRow:
        response = row["response"]
        return cls(
            operation_id=row["uuid"],
            position=row["position"],
            station_id=row["station_id"],
            action=row["action"],
            arguments=orjson.loads(row["arguments"]),
            requested_by=row["requested_by"],
            requested_at=_at(row["requested_at"]),
            completed_at=_time(row["completed_at"]),
            outcome=row["outcome"],
            error_code=row["error_code"],
            error_description=row["error_description"],
            response=orjson.loads(response) if response is not None else None,
        )


@dataclass(frozen=True)
class ConfigurationRow:
    station_id: str
    key: str
    value: str | None
    readonly: bool | None
    reboot_required: bool
    updated_at: datetime

    @classmethod
    def from_sql(cls, row: Row) -> ConfigurationRow:
        readonly = row["readonly"]
        return cls(
            station_id=row["station_id"],
            key=row["key"],
            value=row["value"],
            readonly=None if readonly is None else bool(readonly),
            reboot_required=bool(row["reboot_required"]),
            updated_at=_at(row["updated_at"]),
        )


@dataclass(frozen=True)
class AvailabilityRow:
    station_id: str
    connector_id: int
    availability: str | None
    scheduled: str | None
    updated_at: datetime

    @classmethod
    def from_sql(cls, row: Row) -> AvailabilityRow:
        return cls(
            station_id=row["station_id"],
            connector_id=row["connector_id"],
            availability=row["availability"],
            scheduled=row["scheduled"],
            updated_at=_at(row["updated_at"]),
        )


class OperationQueries(Protocol):
    def get_operation(self, operation_id: str) -> OperationRow | None: ...
    def list_operations(
        self, *, first: int, after: int | None = None, station_id: str | None = None
    ) -> r.Page[OperationRow]: ...
    def configuration(
        self, station_ids: Sequence[str]
    ) -> dict[str, list[ConfigurationRow]]: ...
    def availability(
        self, station_ids: Sequence[str]
    ) -> dict[str, list[AvailabilityRow]]: ...


class SqlOperationQueries:
    """The operations view's tables, on either store."""

    def __init__(self, db: Database, prefix: str = "") -> None:
        self._db = db
        self._operations = prefix + OPERATIONS.name
        self._configuration = prefix + CONFIGURATION.name
        self._availability = prefix + AVAILABILITY.name

    def get_operation(self, operation_id: str) -> OperationRow | None:
        found = self._db.query(
            f"SELECT * FROM {self._operations} WHERE uuid = ?", [operation_id]
        )
        return OperationRow.from_sql(found[0]) if found else None

    def list_operations(
        self, *, first: int, after: int | None = None, station_id: str | None = None
    ) -> r.Page[OperationRow]:
        """Newest first: `after` is the position of the last operation seen."""
        conditions, params = [], []
        for condition, value in (
            ("position < ?", after),
            ("station_id = ?", station_id),
        ):
            if value is not None:
                conditions.append(condition)
                params.append(value)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        found = self._db.query(
            f"SELECT * FROM {self._operations} {where} ORDER BY position DESC LIMIT ?",
            [*params, first + 1],
        )
        items = [OperationRow.from_sql(row) for row in found[:first]]
        return r.Page(items, len(found) > first)

    def configuration(
        self, station_ids: Sequence[str]
    ) -> dict[str, list[ConfigurationRow]]:
        found: dict[str, list[ConfigurationRow]] = {s: [] for s in station_ids}
        for row in self._by_station(self._configuration, station_ids, "key"):
            found[row["station_id"]].append(ConfigurationRow.from_sql(row))
        return found

    def availability(
        self, station_ids: Sequence[str]
    ) -> dict[str, list[AvailabilityRow]]:
        found: dict[str, list[AvailabilityRow]] = {s: [] for s in station_ids}
        for row in self._by_station(self._availability, station_ids, "connector_id"):
            found[row["station_id"]].append(AvailabilityRow.from_sql(row))
        return found

    def _by_station(
        self, table: str, station_ids: Sequence[str], order: str
    ) -> list[Row]:
        if not station_ids:
            return []
        marks = ", ".join("?" * len(station_ids))  # ≤ one page of stations (≤ 500)
        return self._db.query(
            f"SELECT * FROM {table} WHERE station_id IN ({marks}) "
            f"ORDER BY station_id, {order}",
            list(station_ids),
        )


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)  # fixed-width UTC text (base.utc_text)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
