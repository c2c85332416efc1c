"""`chargeledger export replay-session`: a recorded session resent to a running CSMS."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.audit.conftest import Scenario, cli


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def check_replayed(scenario: Scenario, replayed: list[dict[str, Any]]) -> None:
    calls = [r for r in replayed if r["record"] == "replay"]
    assert calls and all("error" not in r for r in calls)
    assert calls[0]["action"] == "BootNotification"
    assert calls[0]["answer"][2]["status"] == "Accepted"
    # Every CALL was answered under its new message id, as it was answered then.
    for call in calls:
        assert call["answer"][:2] == [3, call["messageId"]]
        assert call["recordedAnswer"][0] == 3
    # The resent StartTransaction finds the transaction it created: same transactionId.
    start = next(
        r for r in calls if r["recordedMessageId"] == scenario.start_message_id
    )
    assert start["answer"][2]["transactionId"] == scenario.transaction_id
    assert start["recordedAnswer"][2]["transactionId"] == scenario.transaction_id


async def test_replay_of_the_journalled_session_against_a_running_csms(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scenario.station is not None
    await scenario.station.close()
    # Replay CP-1's recorded CALLs, in order, to the server that is running.
    code, out, err = await asyncio.to_thread(
        cli,
        capsys,
        "export",
        "replay-session",
        "--station",
        "CP-1",
        "--url",
        scenario.ws_url,
        "--database",
        scenario.database_url,
    )
    assert (code, err) == (0, "")
    replayed = lines(out)
    check_replayed(scenario, replayed)
    recorded = [r for r in replayed if r["record"] == "replay"]
    assert [r["action"] for r in recorded].count("StatusNotification") == 8


async def test_replay_of_an_exported_file(
    scenario: Scenario, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert scenario.station is not None
    await scenario.station.close()
    # The field exports the station's frames; the file is replayed elsewhere.
    exported = tmp_path / "field.jsonl"
    code, _, _ = cli(
        capsys,
        "export",
        "--journal",
        "--station",
        "CP-1",
        "--output",
        str(exported),
        "--database",
        scenario.database_url,
    )
    assert code == 0
    code, out, err = await asyncio.to_thread(
        cli,
        capsys,
        "export",
        "replay-session",
        "--station",
        "CP-1",
        "--url",
        scenario.ws_url,
        "--input",
        str(exported),
    )
    assert (code, err) == (0, "")
    check_replayed(scenario, lines(out))


async def test_replay_to_a_csms_that_is_not_there_is_one_line(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await asyncio.to_thread(
        cli,
        capsys,
        "export",
        "replay-session",
        "--station",
        "CP-1",
        "--url",
        "ws://127.0.0.1:9/ocpp",
        "--database",
        scenario.database_url,
    )
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "cannot connect" in err
