"""`chargeledger replay` and `verify` through the entry point, on both stores."""

from __future__ import annotations

import json

import pytest

from ops.cli import main
from tests.ledger import Ledger
from tests.projections.test_replay import scenario


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_replay_rebuilds_views_equal_to_the_live_ones(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger.open(database_url) as ledger:
        # A scenario touching every view runs live.
        scenario(ledger)
        live = ledger.dump()
        # Rebuild everything beside the live tables, then switch.
        assert main(["replay", "--database", database_url]) == 0
        report = lines(capsys.readouterr().out)
        assert report[-1]["events"] == ledger.central.recorder.max_notification_id()
        # The switched-in views hold the same rows, and verify agrees.
        assert ledger.dump() == live
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
