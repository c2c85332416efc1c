"""Table DDL: one declaration for both stores, SQLite's rowid where a key allows it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from projections.event_index import EVENTS

BY_STATION = (
    f"SELECT position FROM {EVENTS.name} WHERE position > ? AND position <= ? "
    "AND station_id = ? ORDER BY position LIMIT 10"
)


def test_the_event_index_position_is_the_rowid_on_sqlite(tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "views.sqlite3")) as conn:
        for statement in EVENTS.ddl("", dialect="sqlite"):
            conn.execute(statement)
        conn.execute(
            f"INSERT INTO {EVENTS.name} VALUES "
            "(42, 't', 'Station.Registered', 'station', 'a', 1, 'CP-1', NULL, NULL)"
        )
        rows = conn.execute(f"SELECT rowid, position FROM {EVENTS.name}").fetchall()
        assert rows == [(42, 42)]
        # No index of its own; lookups by station read the station index, in order.
        indexes = [r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                              "WHERE type = 'index'")]  # fmt: skip
        assert sorted(indexes) == sorted(
            f"{EVENTS.name}_{'_'.join(columns)}" for columns in EVENTS.indexes
        )
        found = conn.execute(f"EXPLAIN QUERY PLAN {BY_STATION}", (0, 9, "CP-1"))
        plan = str(found.fetchall())
        assert f"{EVENTS.name}_station_id_position" in plan
        assert "TEMP B-TREE" not in plan


def test_postgresql_keeps_a_bigint_key_and_leaves_nulls_out_of_lookup_indexes() -> None:
    table, *indexes = EVENTS.ddl("", dialect="postgresql")
    assert "position BIGINT NOT NULL" in table
    assert table.endswith("PRIMARY KEY (position))")
    assert [i.endswith("WHERE station_id IS NOT NULL") for i in indexes] == [
        True, False, False,
    ]  # fmt: skip
    assert indexes[2].endswith(
        "(transaction_id, position) WHERE transaction_id IS NOT NULL"
    )
