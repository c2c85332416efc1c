"""`chargeledger journal` and `export`: the raw frames, and events merged with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.timestamps import parse_iso
from ops.audit_journal import journal
from ops.audit_store import Ledger
from tests.audit.conftest import CP2_PASSWORD, Scenario, cli


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


async def test_journal_prints_a_stations_frames_in_and_out(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys, "journal", "--station", "CP-1", "--database", scenario.database_url
    )
    frames = lines(out)
    assert code == 0 and {f["stationId"] for f in frames} == {"CP-1"}
    calls = [f for f in frames if f["direction"] == "in" and f["messageType"] == 2]
    assert [f["action"] for f in calls][:2] == [
        "BootNotification",
        "StatusNotification",
    ]
    # Every CALL of the station got its answer, journalled after it.
    answers = {
        f["messageId"]: f
        for f in frames
        if f["direction"] == "out" and f["messageType"] == 3
    }
    for call in calls:
        assert answers[call["messageId"]]["id"] > call["id"]
        assert call["frame"][2] == call["action"]
    start = next(f for f in calls if f["messageId"] == scenario.start_message_id)
    answer = answers[start["messageId"]]["frame"]
    assert answer[2]["transactionId"] == scenario.transaction_id
    # Our Reset CALL went out and the station's answer came in.
    assert [
        f["action"] for f in frames if f["direction"] == "out" and f["messageType"] == 2
    ] == ["Reset"]


async def test_journal_time_range_is_inclusive(
    scenario: Scenario, ledger: Ledger
) -> None:
    frames = list(journal(ledger, "CP-1"))
    since, until = frames[3]["at"], frames[8]["at"]
    picked = list(journal(ledger, "CP-1", parse_iso(since), parse_iso(until)))
    assert picked == [f for f in frames if since <= f["at"] <= until] and picked
    assert picked[0]["id"] == frames[3]["id"]


async def test_journal_limit_and_after(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(
        capsys, "journal", "--station", "CP-1", "--database", scenario.database_url
    )
    frames = lines(out)
    _, page, _ = cli(
        capsys,
        "journal",
        "--station",
        "CP-1",
        "--after",
        str(frames[1]["id"]),
        "--limit",
        "2",
        "--database",
        scenario.database_url,
    )
    assert lines(page) == frames[2:4]


async def test_export_merges_events_and_frames_in_time_order(
    scenario: Scenario, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "cp1.jsonl"
    code, out, _ = cli(
        capsys,
        "export",
        "--station",
        "CP-1",
        "--output",
        str(target),
        "--database",
        scenario.database_url,
    )
    assert code == 0 and out == ""
    records = lines(target.read_text())
    # Events keep log order and frames journal order (the events of one commit are
    # not in time order); frames fall between events by time.
    positions = [r["position"] for r in records if r["record"] == "event"]
    ids = [r["id"] for r in records if r["record"] == "frame"]
    assert positions == sorted(positions) and ids == sorted(ids)
    assert {r["record"] for r in records} == {"event", "frame"}
    assert {r["stationId"] for r in records} == {"CP-1"}
    # The StartTransaction came in, its events were recorded, then it was answered.
    start_in = _index(
        records, record="frame", direction="in", messageId=scenario.start_message_id
    )
    started = _index(records, record="event", type="Transaction.Started")
    start_out = _index(
        records, record="frame", direction="out", messageId=scenario.start_message_id
    )
    assert start_in < started < start_out


async def test_export_of_events_only_or_frames_only(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    url = scenario.database_url
    _, events_only, _ = cli(capsys, "export", "--events", "--database", url)
    _, frames_only, _ = cli(capsys, "export", "--journal", "--database", url)
    _, all_events, _ = cli(capsys, "events", "--database", url)
    assert {r["record"] for r in lines(events_only)} == {"event"}
    assert sorted(lines(events_only), key=lambda r: r["position"]) == lines(all_events)
    frames = lines(frames_only)
    assert {r["record"] for r in frames} == {"frame"}
    assert {r["stationId"] for r in frames} == {"CP-1", "CP-2"}
    # Nothing secret leaks: not CP-2's password, nor its stored hash.
    assert CP2_PASSWORD not in frames_only + events_only
    assert "scrypt$" not in events_only


def _index(records: list[dict[str, Any]], **where: Any) -> int:
    return next(
        i for i, r in enumerate(records) if all(r.get(k) == v for k, v in where.items())
    )
