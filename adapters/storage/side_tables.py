"""Tables written in the same database transaction as the events of a batch.

The raw frame journal (ARCHITECTURE.md §10) and station presence (§9) ride along with
each group commit instead of paying their own fsync.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.storage import integrity

JOURNAL_COLUMNS = "station, direction, at, message_type, message_id, action, payload"

JOURNAL_DDL = {
    "sqlite": "CREATE TABLE IF NOT EXISTS chargeledger_journal ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, station TEXT NOT NULL, "
    "direction TEXT NOT NULL, at TEXT NOT NULL, message_type INTEGER, "
    "message_id TEXT, action TEXT, payload TEXT NOT NULL)",
    "postgresql": "CREATE TABLE IF NOT EXISTS chargeledger_journal ("
    "id BIGSERIAL PRIMARY KEY, station TEXT NOT NULL, "
    "direction TEXT NOT NULL, at TEXT NOT NULL, message_type INTEGER, "
    "message_id TEXT, action TEXT, payload TEXT NOT NULL)",
}
JOURNAL_INDEX = (
    "CREATE INDEX IF NOT EXISTS chargeledger_journal_station "
    "ON chargeledger_journal (station, id)"
)
PRESENCE_DDL = (
    "CREATE TABLE IF NOT EXISTS chargeledger_presence (station TEXT PRIMARY KEY, "
    "online INTEGER NOT NULL DEFAULT 0, last_seen TEXT, node TEXT)"
)
SEQUENCES_DDL = (
    "CREATE TABLE IF NOT EXISTS chargeledger_sequences "
    "(name TEXT PRIMARY KEY, value BIGINT NOT NULL)"
)

INSERT_JOURNAL = (
    f"INSERT INTO chargeledger_journal ({JOURNAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# A sign of life (online None) keeps what the connect/disconnect said; a connect or
# disconnect sets it. Two statements, so each is plain multi-row VALUES (SQLite).
UPSERT_SIGHTING = (
    "INSERT INTO chargeledger_presence (station, online, last_seen, node) "
    "VALUES (?, 1, ?, ?) ON CONFLICT (station) DO UPDATE SET "
    "last_seen = excluded.last_seen, "
    "node = COALESCE(excluded.node, chargeledger_presence.node)"
)
UPSERT_PRESENCE = (
    "INSERT INTO chargeledger_presence (station, online, last_seen, node) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (station) DO UPDATE SET "
    "online = excluded.online, last_seen = excluded.last_seen, "
    "node = COALESCE(excluded.node, chargeledger_presence.node)"
)


# PostgreSQL types of each side-table statement's `?` marks, in order: there the rows
# of a statement go as one array per column (see eventstore_postgres).
COLUMN_TYPES: dict[str, tuple[str, ...]] = {
    INSERT_JOURNAL: ("text", "text", "text", "integer", "text", "text", "text"),
    UPSERT_SIGHTING: ("text", "text", "text"),
    UPSERT_PRESENCE: ("text", "integer", "text", "text"),
    integrity.INSERT_LINK: ("text", "integer", "text"),
    integrity.UPSERT_HEAD: ("text", "integer", "text"),
}


def ddl(dialect: str) -> list[str]:
    return [JOURNAL_DDL[dialect], JOURNAL_INDEX, PRESENCE_DDL, SEQUENCES_DDL,
            integrity.HASHES_DDL, integrity.HEADS_DDL]  # fmt: skip


_TABLES = re.compile(r"\bchargeledger_(journal|presence|sequences|event_hashes|heads)\b")


def qualify(sql: str, schema: str) -> str:
    """Name the schema explicitly: the event store's connections do not carry the
    search_path of the database URL."""
    return _TABLES.sub(lambda m: f"{schema}.{m.group(0)}", sql) if schema else sql


def presence_writes(
    rows: list[tuple[str, int | None, str, str | None]],
) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """(statement, rows) for presence rows (one per station, as merged per batch)."""
    sightings = [(s, seen, node) for s, online, seen, node in rows if online is None]
    changes = [row for row in rows if row[1] is not None]
    return [(UPSERT_SIGHTING, sightings), (UPSERT_PRESENCE, changes)]
