"""Reads after many pipelined writes in one projection batch see their own rows
(PostgreSQL pipeline mode, as a rebuild's batches of tens of thousands of rows)."""

from __future__ import annotations

import pytest

from projections.postgres_database import PostgresDatabase

UPSERT = (
    "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
)


@pytest.mark.postgres
def test_a_read_after_many_pipelined_writes_gets_its_rows(postgres_url: str) -> None:
    db = PostgresDatabase(postgres_url)
    try:
        with db.transaction() as cur:
            cur.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INT)")
        for size in [20_000] * 6:  # without a sync, psycopg 3.3 failed some rounds
            with db.transaction(durable=False) as cur:
                cur.executemany(UPSERT, [(f"k{i}", i) for i in range(size)])
                for _ in range(3):
                    cur.execute("SELECT k, v FROM t WHERE k IN (?, ?)", ("k1", "k2"))
                    assert sorted(r["v"] for r in cur.fetchall()) == [1, 2]
    finally:
        db.close()
