"""Rows written many to a statement (SQLite), or as arrays (PostgreSQL), are the rows
executemany would write.
(A whole commit's worth: tests/integration/test_notification_ids.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest

from adapters.storage.eventstore_postgres import unnested
from projections.bulk import execute_values

UPSERT = (
    "INSERT INTO t (k, v, n) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET "
    "v = excluded.v, n = t.n + excluded.n"
)


def _table(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB, n INT)")
    return conn


@pytest.mark.parametrize("count", [1, 2, 3, 255, 256, 257, 700])
def test_same_rows_as_executemany_in_order(tmp_path: Path, count: int) -> None:
    rows: list[tuple[Any, ...]] = [(f"k{i}", bytes([i % 256]), i) for i in range(count)]
    bulk, plain = _table(tmp_path / "a.db"), _table(tmp_path / "b.db")
    cursor = bulk.cursor()
    execute_values(cursor, UPSERT, rows)
    plain.executemany(UPSERT, rows)
    select = "SELECT id, k, v, n FROM t ORDER BY id"
    assert bulk.execute(select).fetchall() == plain.execute(select).fetchall()
    assert cursor.lastrowid == count  # the last statement's last row


def test_upserts_read_excluded_per_row(tmp_path: Path) -> None:
    conn = _table(tmp_path / "a.db")
    execute_values(conn.cursor(), UPSERT, [("a", b"1", 1), ("b", b"2", 2)])
    execute_values(conn.cursor(), UPSERT, [("b", b"3", 10), ("a", b"4", 20), ("c", b"5", 5)])
    assert conn.execute("SELECT k, v, n FROM t ORDER BY k").fetchall() == [
        ("a", b"4", 21), ("b", b"3", 12), ("c", b"5", 5)]  # fmt: skip


def test_statement_without_values_group_is_refused(tmp_path: Path) -> None:
    conn = _table(tmp_path / "a.db")
    with pytest.raises(ValueError, match="VALUES"):
        execute_values(conn.cursor(), "DELETE FROM t WHERE k = ?", [("a",), ("b",)])


@pytest.mark.postgres
@pytest.mark.parametrize("count", [1, 3, 257])
def test_unnested_arrays_write_on_postgres_what_executemany_writes(
    postgres_url: str, count: int
) -> None:
    rows = [(f"k{i}", bytes([i % 256]), i) for i in range(count)]
    rows += [(f"k{i}", b"again", 100) for i in range(0, count, 2)]  # upserts, later
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for table in ("bulk", "plain"):
            conn.execute(f"CREATE TABLE {table} (k TEXT PRIMARY KEY, v BYTEA, n INT)")
        upsert = UPSERT.replace("INTO t", "INTO {}").replace("t.n", "{}.n")
        types = ("text", "bytea", "integer")
        statement = unnested(upsert.format("bulk", "bulk"), types, "")
        with conn.pipeline():
            # Statement by statement: a multi-row upsert may not touch a key twice.
            for part in (rows[:count], rows[count:]):
                columns = [list(column) for column in zip(*part, strict=True)]
                conn.cursor().execute(statement, columns)
                conn.cursor().executemany(
                    upsert.format("plain", "plain").replace("?", "%s"), part)
        select = "SELECT k, v, n FROM {} ORDER BY k"
        bulk = conn.execute(select.format("bulk")).fetchall()
        assert bulk == conn.execute(select.format("plain")).fetchall()
        assert len(bulk) == count
