"""`chargeledger replay` and `verify` through the entry point, on both stores."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from ops.cli import main
from projections.catalog import PROJECTIONS, build_projections
from projections.database import Database, views_path
from tests.ledger import Ledger
from tests.projections.test_replay import scenario


PROJECTION_OF = {t.name: p.name for p in build_projections() for t in p.tables}


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def indexes(db: Database) -> list[tuple[str, str]]:
    """(table, index) of every index of the views, whatever the store."""
    if db.dialect == "sqlite":
        sql = ("SELECT tbl_name AS t, name AS i FROM sqlite_master "
               "WHERE type = 'index' AND sql IS NOT NULL")  # fmt: skip
    else:
        sql = ("SELECT tablename AS t, indexname AS i FROM pg_indexes "
               "WHERE schemaname = current_schema()")  # fmt: skip
    views = set(PROJECTION_OF)
    return sorted((r["t"], r["i"]) for r in db.query(sql) if r["t"] in views)


def test_replay_rebuilds_views_equal_to_the_live_ones(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(database_url) as ledger:
        # A scenario touching every view runs live.
        scenario(ledger)
        live = ledger.dump()
        before = indexes(ledger.db)
        assert ("event_index_v2", "event_index_v2_station_id_position") in before
        # Rebuild everything beside the live tables, then switch.
        assert main(["replay", "--database", database_url]) == 0
        report = lines(capsys.readouterr().out)
        assert report[-1]["events"] == ledger.central.recorder.max_notification_id()
        counted = Counter(PROJECTION_OF[str(row["table"])] for row in live)
        assert {r["projection"]: r["rows"] for r in report[:-1]} == {
            name: counted[name] for name in PROJECTIONS
        }
        # The switched-in views hold the same rows under the same indexes, and
        # verify agrees.
        assert ledger.dump() == live
        assert indexes(ledger.db) == before
        assert main(["verify", "--database", database_url]) == 0
        assert {r["status"] for r in lines(capsys.readouterr().out)} == {"ok"}


def test_verify_reports_a_tampered_view_and_exits_non_zero(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(database_url) as ledger:
        scenario(ledger)
        with ledger.db.transaction() as cur:
            cur.execute("UPDATE stations_v1 SET vendor = 'FORGED'")
        assert main(["verify", "stations_v1", "--database", database_url]) == 1
        (record,) = lines(capsys.readouterr().out)
        assert record["status"] == "different"
        assert "FORGED" in json.dumps(record["examples"])


def test_verify_integrity_through_the_cli(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(database_url) as ledger:
        scenario(ledger)
    assert main(["verify", "--integrity", "--database", database_url]) == 0
    assert lines(capsys.readouterr().out) == [{"integrity": "ok"}]


def test_unknown_projection_is_a_one_line_error(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(sqlite_url):
        pass
    assert main(["replay", "nope_v1", "--database", sqlite_url]) == 2
    err = capsys.readouterr().err
    assert "unknown projection nope_v1" in err and len(err.strip().splitlines()) == 1


def test_replay_into_a_new_views_file_leaves_an_old_ledger_table_alone(
    sqlite_url: str,
) -> None:
    with Ledger.open(sqlite_url) as ledger:
        scenario(ledger)
        live = ledger.dump()
    # A ledger from before the views had their own file still holds a view table;
    # the views file is deleted to have everything rebuilt.
    with closing(sqlite3.connect(sqlite_url)) as conn, conn:
        conn.execute("CREATE TABLE stations_v1 (id TEXT)")
    for suffix in ("", "-wal", "-shm"):
        Path(views_path(sqlite_url) + suffix).unlink(missing_ok=True)
    assert main(["replay", "--database", sqlite_url]) == 0
    with Ledger.open(sqlite_url) as ledger:
        assert ledger.dump() == live
