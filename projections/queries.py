"""Read-only queries the API depends on: Protocols, and their SQL implementation.

Lists use keyset pagination: `after` is the sort key of the last row already seen, so
a page costs the same wherever it starts and does not shift when rows are added.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from projections import rows as r
from projections.base import utc_text
from projections.database import Database, Row
from projections.id_tags import ID_TAGS
from projections.operation_queries import OperationQueries, SqlOperationQueries
from projections.stations import CONNECTORS, STATIONS
from projections.transactions import METER_VALUES, TRANSACTIONS
from projections.unknown_stations import UNKNOWN_STATIONS

if TYPE_CHECKING:
    from projections.history import EventFilter, Record

PRESENCE = "chargeledger_presence"  # kept by the OCPP adapter, outside the events


class StationQueries(Protocol):
    def get_station(self, station_id: str) -> r.StationRow | None: ...
    def list_stations(
        self,
        *,
        first: int,
        after: str | None = None,
        registration_status: str | None = None,
        online: bool | None = None,
        connector_status: str | None = None,
    ) -> r.Page[r.StationRow]: ...
    def list_unknown_stations(
        self, *, first: int, after: str | None = None
    ) -> r.Page[r.UnknownStationRow]: ...


class TransactionQueries(Protocol):
    def get_transaction(self, transaction_id: int) -> r.TransactionRow | None: ...
    def list_transactions(
        self,
        *,
        first: int,
        after: int | None = None,
        station_id: str | None = None,
        id_tag: str | None = None,
        active: bool | None = None,
        started_from: datetime | None = None,
        started_to: datetime | None = None,
    ) -> r.Page[r.TransactionRow]: ...
    def meter_values(
        self, transaction_ids: Sequence[int]
    ) -> dict[int, list[r.MeterValueRow]]: ...


class IdTagQueries(Protocol):
    def get_id_tag(self, id_tag: str) -> r.IdTagRow | None: ...
    def list_id_tags(
        self, *, first: int, after: str | None = None
    ) -> r.Page[r.IdTagRow]: ...


class HistoryQueries(Protocol):
    """The audit questions (projections.history.EventHistory): records as the CLI
    prints them."""

    def events(self, flt: EventFilter, *, first: int) -> r.Page[Record]: ...
    def station_at(self, station_id: str, at: datetime) -> Record | None: ...


class Queries(
    StationQueries, TransactionQueries, IdTagQueries, OperationQueries, Protocol
):
    """Everything the GraphQL API reads from the read models."""

    @property
    def db(self) -> Database:
        """Their database (the event index is read there, with the stored events)."""
        ...


class SqlQueries(SqlOperationQueries):
    """The queries over the projection tables (and presence), on either store."""

    def __init__(self, db: Database, prefix: str = "") -> None:
        super().__init__(db, prefix)
        self._db = db
        self.db = db  # the history reads the event index here (Queries.db)
        self._stations = prefix + STATIONS.name
        self._connectors = prefix + CONNECTORS.name
        self._unknown = prefix + UNKNOWN_STATIONS.name
        self._transactions = prefix + TRANSACTIONS.name
        self._meter_values = prefix + METER_VALUES.name
        self._id_tags = prefix + ID_TAGS.name

    # -- stations --------------------------------------------------------------------

    def get_station(self, station_id: str) -> r.StationRow | None:
        page = self._stations_where(_Where().add("s.id = ?", station_id), 1)
        return page.items[0] if page.items else None

    def list_stations(
        self,
        *,
        first: int,
        after: str | None = None,
        registration_status: str | None = None,
        online: bool | None = None,
        connector_status: str | None = None,
    ) -> r.Page[r.StationRow]:
        where = _Where().add("s.id > ?", after)
        where.add("s.registration_status = ?", registration_status)
        where.add("COALESCE(p.online, 0) = ?", None if online is None else int(online))
        where.add(
            f"EXISTS (SELECT 1 FROM {self._connectors} c WHERE "
            "c.station_id = s.id AND c.status = ?)",
            connector_status,
        )
        return self._stations_where(where, first)

    def _stations_where(self, where: _Where, first: int) -> r.Page[r.StationRow]:
        found = self._db.query(
            f"SELECT s.*, COALESCE(p.online, 0) AS online, p.last_seen AS seen "
            f"FROM {self._stations} s LEFT JOIN {PRESENCE} p ON p.station = s.id "
            f"{where} ORDER BY s.id LIMIT ?",
            [*where.params, first + 1],
        )
        page = found[:first]
        connectors: dict[str, list[r.ConnectorRow]] = {row["id"]: [] for row in page}
        for row in self._in(
            self._connectors, "station_id", list(connectors), "station_id, connector_id"
        ):
            connectors[row["station_id"]].append(r.ConnectorRow.from_sql(row))
        items = [
            r.StationRow.from_sql(row, tuple(connectors[row["id"]])) for row in page
        ]
        return r.Page(items, len(found) > first)

    def list_unknown_stations(
        self, *, first: int, after: str | None = None
    ) -> r.Page[r.UnknownStationRow]:
        where = _Where("registered = 0").add("id > ?", after)
        found = self._db.query(
            f"SELECT * FROM {self._unknown} {where} ORDER BY id LIMIT ?",
            [*where.params, first + 1],
        )
        return r.Page(
            [r.UnknownStationRow.from_sql(row) for row in found[:first]],
            len(found) > first,
        )

    # -- transactions ----------------------------------------------------------------

    def get_transaction(self, transaction_id: int) -> r.TransactionRow | None:
        found = self._db.query(
            f"SELECT * FROM {self._transactions} WHERE transaction_id = ?",
            [transaction_id],
        )
        return r.TransactionRow.from_sql(found[0]) if found else None

    def list_transactions(
        self,
        *,
        first: int,
        after: int | None = None,
        station_id: str | None = None,
        id_tag: str | None = None,
        active: bool | None = None,
        started_from: datetime | None = None,
        started_to: datetime | None = None,
    ) -> r.Page[r.TransactionRow]:
        where = _Where().add("transaction_id < ?", after)  # newest first
        where.add("station_id = ?", station_id)
        where.add("id_tag_key = ?", id_tag.casefold() if id_tag else None)
        if active is not None:
            open_ = "(stopped_at IS NULL AND closed_as_stale = 0)"
            where.conditions.append(open_ if active else f"NOT {open_}")
        where.add("started_at >= ?", utc_text(started_from))
        where.add("started_at < ?", utc_text(started_to))
        found = self._db.query(
            f"SELECT * FROM {self._transactions} {where} "
            "ORDER BY transaction_id DESC LIMIT ?",
            [*where.params, first + 1],
        )
        return r.Page(
            [r.TransactionRow.from_sql(row) for row in found[:first]],
            len(found) > first,
        )

    def meter_values(
        self, transaction_ids: Sequence[int]
    ) -> dict[int, list[r.MeterValueRow]]:
        found: dict[int, list[r.MeterValueRow]] = {i: [] for i in transaction_ids}
        for row in self._in(
            self._meter_values,
            "transaction_id",
            list(found),
            "transaction_id, position, idx",
        ):
            found[row["transaction_id"]].append(r.MeterValueRow.from_sql(row))
        return found

    # -- id tags ---------------------------------------------------------------------

    def get_id_tag(self, id_tag: str) -> r.IdTagRow | None:
        found = self._db.query(
            f"SELECT * FROM {self._id_tags} WHERE id_tag_key = ?", [id_tag.casefold()]
        )
        return r.IdTagRow.from_sql(found[0]) if found else None

    def list_id_tags(
        self, *, first: int, after: str | None = None
    ) -> r.Page[r.IdTagRow]:
        where = _Where().add("id_tag_key > ?", after.casefold() if after else None)
        found = self._db.query(
            f"SELECT * FROM {self._id_tags} {where} ORDER BY id_tag_key LIMIT ?",
            [*where.params, first + 1],
        )
        return r.Page(
            [r.IdTagRow.from_sql(row) for row in found[:first]], len(found) > first
        )

    def _in(self, table: str, column: str, keys: list[Any], order: str) -> list[Row]:
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))  # keys ≤ one page (first ≤ 500)
        return self._db.query(
            f"SELECT * FROM {table} WHERE {column} IN ({marks}) ORDER BY {order}", keys
        )


class _Where:
    """Conditions of a WHERE clause; a filter whose value is None is left out."""

    def __init__(self, *conditions: str) -> None:
        self.conditions = list(conditions)
        self.params: list[Any] = []

    def add(self, condition: str, value: Any) -> _Where:
        if value is not None:
            self.conditions.append(condition)
            self.params.append(value)
        return self

    def __str__(self) -> str:
        return f"WHERE {' AND '.join(self.conditions)}" if self.conditions else ""
