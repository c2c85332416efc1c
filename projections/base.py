"""What every SQL projection shares: its tables, batched loads and upserts, UTC text.

A projection turns a batch of `(notification_id, domain_event)` pairs into row writes
with a few `executemany` calls: rows an event touches are loaded once per batch into a
dict, changed in memory, and written back, so a rebuild never pays a query per event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from operator import itemgetter
from typing import Any, ClassVar, Protocol
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from domain.timestamps import parse_iso
from projections.database import Cursor, Row

Events = list[tuple[int, Any]]  # (notification id, domain event), in log order
IN_CHUNK = 500  # placeholders per `IN (…)`, well below both stores' limits


class Projection(Protocol):
    """A read model the follower feeds; `tracking_name` keys its position."""

    name: str
    topics: frozenset[str]

    @property
    def tracking_name(self) -> str: ...
    def create_tables(self, cur: Cursor) -> None: ...
    def drop_tables(self, cur: Cursor) -> None: ...
    def apply(self, cur: Cursor, events: Events) -> None: ...
    def dump(self, cur: Cursor) -> list[Row]: ...


@dataclass(frozen=True)
class Table:
    """One table of a view: name without prefix, typed columns, primary key."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def ddl(self, prefix: str) -> list[str]:
        table = prefix + self.name
        cols = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {table} ({cols}, "
            f"PRIMARY KEY ({', '.join(self.key)}))"
        ]
        for kind, groups in (("INDEX", self.indexes), ("UNIQUE INDEX", self.unique)):
            for cols_ in groups:
                statements.append(
                    f"CREATE {kind} IF NOT EXISTS {table}_{'_'.join(cols_)} "
                    f"ON {table} ({', '.join(cols_)})"
                )
        return statements

    def upsert(self, prefix: str) -> str:
        names = self.column_names
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in self.key)
        return (
            f"INSERT INTO {prefix}{self.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {updates}"
        )

    def insert(self, prefix: str) -> str:
        names = self.column_names
        return (
            f"INSERT INTO {prefix}{self.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )

    @cached_property
    def _values(self) -> Any:
        return itemgetter(*self.column_names)

    def params(self, rows: Iterable[Row]) -> list[tuple[Any, ...]]:
        values = self._values
        return [values(row) for row in rows]


class SqlProjection:
    """Base of the views: tables under an optional prefix (for a scratch rebuild)."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    topics: ClassVar[frozenset[str]]

    def __init__(self, prefix: str = "") -> None:
        # The prefix is spliced into SQL: allow identifier characters only.
        if not re.fullmatch(r"[a-z][a-z0-9_]*_|", prefix):
            raise ValueError(f"invalid table prefix {prefix!r}")
        self.prefix = prefix

    @property
    def tracking_name(self) -> str:
        return self.prefix + self.name

    def create_tables(self, cur: Cursor) -> None:
        for table in self.tables:
            for statement in table.ddl(self.prefix):
                cur.execute(statement)

    def drop_tables(self, cur: Cursor) -> None:
        for table in self.tables:
            cur.execute(f"DROP TABLE IF EXISTS {self.prefix}{table.name}")

    def dump(self, cur: Cursor) -> list[Row]:
        """Every row of every table, in key order, tagged with its unprefixed table."""
        rows: list[Row] = []
        for table in self.tables:
            columns, key = ", ".join(table.column_names), ", ".join(table.key)
            cur.execute(
                f"SELECT {columns} FROM {self.prefix}{table.name} ORDER BY {key}"
            )
            rows.extend({"table": table.name, **row} for row in cur.fetchall())
        return rows

    def apply(self, cur: Cursor, events: Events) -> None:
        raise NotImplementedError

    def load(self, cur: Cursor, table: Table, ids: Iterable[int]) -> dict[int, Row]:
        """Rows of `table` for these aggregate ids (UUID.int): a query per chunk."""
        wanted = sorted(str(UUID(int=i)) for i in set(ids))
        found: dict[int, Row] = {}
        select = (
            f"SELECT {', '.join(table.column_names)} FROM {self.prefix}{table.name}"
        )
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i : i + IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cur.execute(f"{select} WHERE uuid IN ({marks})", chunk)
            found.update((UUID(row["uuid"]).int, row) for row in cur.fetchall())
        return found

    def write(
        self, cur: Cursor, table: Table, rows: Sequence[Row], *, upsert: bool = True
    ) -> None:
        if rows:
            sql = table.upsert(self.prefix) if upsert else table.insert(self.prefix)
            cur.executemany(sql, table.params(rows))


def topics(*event_classes: type) -> frozenset[str]:
    return frozenset(get_topic(cls) for cls in event_classes)


def utc_text(value: datetime | None) -> str | None:
    """Fixed-width UTC text: it sorts and compares as time on both stores."""
    if value is None:
        return None
    if value.utcoffset():  # naive counts as UTC, as in domain.timestamps
        value = value.astimezone(UTC)
    text = value.isoformat(timespec="microseconds")
    return (text[:-6] if value.tzinfo else text) + "Z"  # drop "+00:00"


def station_time_text(raw: object) -> str | None:
    """A timestamp as the station sent it (inside meter values), as UTC text."""
    parsed = parse_iso(raw) if isinstance(raw, str) else None
    return utc_text(parsed)


def meter_value_rows(
    meter_value: list[dict[str, Any]],
) -> list[tuple[str | None, str | None, str]]:
    """(UTC time, raw time, sampled values as canonical JSON) per OCPP MeterValue."""
    rows: list[tuple[str | None, str | None, str]] = []
    for item in meter_value:
        # OCPP JSON says sampledValue; the `ocpp` package hands over snake_case keys.
        sampled = item.get("sampledValue", item.get("sampled_value", []))
        raw = item.get("timestamp")
        raw = raw if isinstance(raw, str) else None
        text = orjson.dumps(sampled, option=orjson.OPT_SORT_KEYS).decode()
        rows.append((station_time_text(raw), raw, text))
    return rows
