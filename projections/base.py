"""What every SQL projection shares: its tables, batched loads and upserts, UTC text.

A projection turns a batch of `(notification_id, domain_event)` pairs into row writes
with a few `executemany` calls: rows an event touches are loaded once per batch into a
dict, changed in memory, and written back, so a rebuild never pays a query per event.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from operator import itemgetter
from typing import Any, ClassVar, Protocol

import orjson
from eventsourcing.utils import get_topic

from domain.timestamps import parse_iso
from projections.database import Cursor, Row

# (notification id, domain event), in log order. The follower gives every event its
# originator_id as canonical text (projections.decoding), which is what rows store;
# projections use str() of it, so a UUID would do as well, only slower.
Events = list[tuple[int, Any]]
IN_CHUNK = 500  # placeholders per `IN (…)`, well below both stores' limits
UTC_Z = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


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
    # On SQLite the key (one integer column) is the rowid: rows are stored in key
    # order, with no index of their own to keep up. PostgreSQL keys it as usual.
    rowid: bool = False
    # Non-unique indexes led by one of these columns leave its NULLs out: nothing
    # looks rows up by a NULL, and a smaller index is built sooner.
    sparse: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def ddl(
        self, prefix: str, *, secondary: bool = True, dialect: str = "sqlite"
    ) -> list[str]:
        """The table with its unique indexes, and its other indexes if `secondary`."""
        table, rowid = prefix + self.name, self.rowid and dialect == "sqlite"
        key = "INTEGER NOT NULL PRIMARY KEY"  # SQLite's spelling of a rowid alias
        cols = [f"{name} {key if rowid and (name,) == self.key else kind}"
                for name, kind in self.columns]  # fmt: skip
        if not rowid:
            cols.append(f"PRIMARY KEY ({', '.join(self.key)})")
        statements = [f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})"]
        indexes = [("INDEX", c, self._indexed(c, rowid))
                   for c in (self.indexes if secondary else ())]  # fmt: skip
        indexes += [("UNIQUE INDEX", c, f"({', '.join(c)})") for c in self.unique]
        for kind, cols_, on in indexes:
            statements.append(
                f"CREATE {kind} IF NOT EXISTS {table}_{'_'.join(cols_)} ON {table} {on}"
            )
        return statements

    def _indexed(self, columns: tuple[str, ...], rowid: bool) -> str:
        """A non-unique index's columns, and which rows it leaves out."""
        if rowid and len(columns) > 1 and columns[-1] == self.key[0]:
            # A rowid table's index ends with the rowid anyway: (a) is (a, key).
            columns = columns[:-1]
        where = f" WHERE {columns[0]} IS NOT NULL" if columns[0] in self.sparse else ""
        return f"({', '.join(columns)}){where}"

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
    topics: frozenset[str]  # per class; a part of a split view has fewer (`part`)
    # True if its rows follow from each aggregate's own events alone: it can then be
    # built in parts, each from the events of some aggregate types (`part`, `merge`),
    # or of some aggregates of a type (a range of ids, ops.replay_split).
    by_aggregate: ClassVar[bool] = False
    # CPU of applying one event, against decoding one (~4.4 µs): how a parallel
    # rebuild weighs the views it shares out (measured on `replay_speed`'s mix).
    apply_cost: ClassVar[float] = 1.0

    def __init__(self, prefix: str = "", *, secondary: bool = True) -> None:
        # The prefix is spliced into SQL: allow identifier characters only.
        if not re.fullmatch(r"[a-z][a-z0-9_]*_|", prefix):
            raise ValueError(f"invalid table prefix {prefix!r}")
        self.prefix = prefix
        # Without its non-unique indexes a table loads faster: a scratch rebuild
        # reads only by key and unique index, and its swap creates the others once.
        self.secondary = secondary

    @property
    def tracking_name(self) -> str:
        return self.prefix + self.name

    def create_tables(self, cur: Cursor) -> None:
        for table in self.tables:
            for statement in table.ddl(
                self.prefix, secondary=self.secondary, dialect=cur.dialect
            ):
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

    def count(self, cur: Cursor) -> int:
        """How many rows its tables hold together (as many as `dump` returns)."""
        total = 0
        for table in self.tables:
            cur.execute(f"SELECT COUNT(*) AS n FROM {self.prefix}{table.name}")
            total += int(cur.fetchall()[0]["n"])
        return total

    def apply(self, cur: Cursor, events: Events) -> None:
        raise NotImplementedError

    def part(self, modules: Collection[str]) -> SqlProjection:
        """The same view fed only the events of the aggregates defined in these
        domain modules (`by_aggregate` views only)."""
        if not self.by_aggregate:
            raise TypeError(f"{self.name} cannot be built in parts")
        part = type(self)(self.prefix, secondary=self.secondary)
        part.topics = frozenset(t for t in self.topics if module_of(t) in modules)
        return part

    def merge(self, cur: Cursor, schema: str) -> None:
        """Add the rows another build of this view wrote under the same names into
        the attached SQLite `schema` (a parallel rebuild). Parts never write the
        same key, so the rows are simply copied."""
        for table in self.tables:
            self.copy(cur, schema, table)

    def copy(self, cur: Cursor, schema: str, table: Table, conflict: str = "") -> None:
        name, columns = self.prefix + table.name, ", ".join(table.column_names)
        if not conflict:
            # Both made by the same DDL: `SELECT *` lets SQLite copy the stored
            # records as they are (its transfer optimisation); into a table with
            # no unique index, such as a rowid-keyed one, even when it holds rows.
            cur.execute(f"INSERT INTO main.{name} SELECT * FROM {schema}.{name}")
            return
        # `WHERE true`: SQLite's parser needs it before an upsert clause.
        cur.execute(f"INSERT INTO main.{name} ({columns}) SELECT {columns} "
                    f"FROM {schema}.{name} WHERE true {conflict}")  # fmt: skip

    def load(self, cur: Cursor, table: Table, ids: Iterable[str]) -> dict[str, Row]:
        """Rows of `table` by aggregate id (canonical UUID text): a query per chunk."""
        wanted = sorted(set(ids))
        found: dict[str, Row] = {}
        select = (
            f"SELECT {', '.join(table.column_names)} FROM {self.prefix}{table.name}"
        )
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i : i + IN_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cur.execute(f"{select} WHERE uuid IN ({marks})", chunk)
            found.update((row["uuid"], row) for row in cur.fetchall())
        return found

    def write(
        self, cur: Cursor, table: Table, rows: Sequence[Row], *, upsert: bool = True
    ) -> None:
        if rows:
            sql = table.upsert(self.prefix) if upsert else table.insert(self.prefix)
            cur.executemany(sql, table.params(rows))


def module_of(topic: str) -> str:
    """The domain module an event's aggregate is defined in (one aggregate each)."""
    return topic.split(":", 1)[0]


def topics(*event_classes: type) -> frozenset[str]:
    return frozenset(get_topic(cls) for cls in event_classes)


def utc_text(value: datetime | None) -> str | None:
    """Fixed-width UTC text: it sorts and compares as time on both stores. (orjson
    writes a datetime several times faster than isoformat: a rebuild writes one
    per event.)"""
    if value is None:
        return None
    if value.tzinfo is not UTC and value.utcoffset():  # naive counts as UTC
        value = value.astimezone(UTC)
    text = orjson.dumps(value, option=UTC_Z)[1:-1].decode()
    # orjson leaves out a zero fraction; isoformat(timespec="microseconds") did not.
    return text if value.microsecond else text[:-1] + ".000000Z"


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
