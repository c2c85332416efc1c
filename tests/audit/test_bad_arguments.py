"""Bad arguments get one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.audit.conftest import Scenario, cli

CASES = [
    (["events", "--station", "CP-404"], "unknown station 'CP-404'"),
    (["events", "--from", "yesterday"], "--from: cannot read 'yesterday'"),
    (["events", "--to", "2026-13-45T00:00:00Z"], "--to: cannot read"),
    (["events", "--type", "Station.Exploded"], "unknown event type 'Station.Exploded'"),
    (["events", "--aggregate", "not-a-uuid"], "not an aggregate id"),
    (["events", "--aggregate", "00000000-0000-0000-0000-000000000000"], "no aggregate"),
    (["events", "--limit", "many"], "invalid int value: 'many'"),
    (["history", "--transaction", "999999"], "unknown transaction 999999"),
    (["history", "--reservation", "7"], "no reservation 7"),
    (["history"], "give exactly one of --station, --transaction"),
    (["history", "--station", "CP-1", "--transaction", "1"], "give exactly one of"),
    (["state", "--station", "CP-1"], "--at TIME is required"),
    (["state", "--station", "CP-1", "--at", "03:00"], "--at: cannot read '03:00'"),
    (
        ["state", "--station", "CP-1", "--at", "2000-01-01T00:00:00Z"],
        "station CP-1 did not exist yet at 2000-01-01T00:00:00.000000Z",
    ),
    (["journal"], "--station ID is required"),
    (["journal", "--station", "CP-404"], "unknown station 'CP-404'"),
    (["export", "--station", "CP-404"], "unknown station 'CP-404'"),
    (
        ["export", "replay-session", "--station", "CP-1", "--url", "http://x/ocpp"],
        "expected ws:// or wss://",
    ),
    (
        [
            "export",
            "replay-session",
            "--station",
            "CP-404",
            "--url",
            "ws://127.0.0.1:9/ocpp",
        ],
        "unknown station 'CP-404'",
    ),
]


@pytest.mark.parametrize(
    ("argv", "message"), CASES, ids=[" ".join(c[0]) for c in CASES]
)
async def test_bad_argument_is_one_line_and_exit_2(
    scenario: Scenario,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code, out, err = cli(capsys, *argv, "--database", scenario.database_url)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert message in err and "Traceback" not in err


def test_missing_database_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    code, _, err = cli(capsys, "events", "--database", str(missing))
    assert code == 2 and err == f"chargeledger events: no database at {missing}\n"
    assert not missing.exists()  # a read-only command creates nothing


def test_a_file_that_is_no_event_store_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    other.write_bytes(b"")
    code, _, err = cli(capsys, "history", "--station", "CP-1", "--database", str(other))
    assert code == 2 and "no ChargeLedger event store" in err


def test_unreadable_replay_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(
        capsys,
        "export",
        "replay-session",
        "--station",
        "CP-1",
        "--url",
        "ws://127.0.0.1:9/ocpp",
        "--input",
        str(tmp_path / "no"),
    )
    assert code == 2 and len(err.splitlines()) == 1 and "cannot read" in err
