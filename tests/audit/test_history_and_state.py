"""`chargeledger history` and `state`: one aggregate's story, and time travel."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from domain.station import Station
from domain.timestamps import parse_iso
from ops.audit_history import history, render_state, state_at
from ops.audit_store import Ledger
from tests.audit.conftest import STATUS_STEPS, Scenario, cli, connectors_after


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


async def test_transaction_history_names_the_station_calls_behind_it(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys,
        "history",
        "--transaction",
        str(scenario.transaction_id),
        "--database",
        scenario.database_url,
    )
    printed = lines(out)
    assert code == 0
    assert [r["type"] for r in printed] == [
        "Transaction.Started",
        "Transaction.MeterValuesRecorded",
        "Transaction.Stopped",
    ]
    assert [r["version"] for r in printed] == [1, 2, 3]
    assert [r["cause"]["action"] for r in printed] == [
        "StartTransaction",
        "MeterValues",
        "StopTransaction",
    ]
    assert printed[0]["cause"]["messageId"] == scenario.start_message_id
    assert all(
        r["stationId"] == "CP-1" and r["transactionId"] == scenario.transaction_id
        for r in printed
    )


async def test_station_history_tells_operator_changes_from_station_calls(
    scenario: Scenario, ledger: Ledger
) -> None:
    printed = list(history(ledger, Station.create_id("CP-1")))
    by_type = {r["type"]: r for r in reversed(printed)}  # the first of each type
    # Registered by an operator command: no frame caused it.
    assert by_type["Station.Registered"]["cause"] is None
    assert by_type["Station.BootNotified"]["cause"]["action"] == "BootNotification"
    statuses = [r for r in printed if r["type"] == "Station.ConnectorStatusChanged"]
    assert len(statuses) == len(STATUS_STEPS)
    assert {r["cause"]["action"] for r in statuses} == {"StatusNotification"}
    assert by_type["Station.ConnectorOccupied"]["cause"]["action"] == "StartTransaction"
    assert by_type["Station.Registered"]["data"] == {"password_hash": None}


async def test_password_hashes_are_redacted_from_history_and_state(
    scenario: Scenario, ledger: Ledger
) -> None:
    station_id = Station.create_id("CP-2")
    registered = next(
        r for r in history(ledger, station_id) if r["type"] == "Station.Registered"
    )
    assert registered["data"] == {"password_hash": "<redacted>"}
    at = parse_iso("2100-01-01T00:00:00Z")
    assert at is not None
    state = state_at(ledger, station_id, at, "station CP-2")["state"]
    assert state["password_hash"] == "<redacted>" and state["registered"] is True


async def test_operation_history_names_who_asked(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys,
        "history",
        "--aggregate",
        scenario.operation_id,
        "--database",
        scenario.database_url,
    )
    printed = lines(out)
    assert code == 0
    assert [r["type"] for r in printed] == [
        "Operation.Requested",
        "Operation.Completed",
    ]
    assert {json.dumps(r["cause"]) for r in printed} == {
        json.dumps({"by": "operator", "requestedBy": "alice"})
    }
    assert printed[1]["data"]["outcome"] == "Accepted"


async def test_state_at_each_step_matches_the_scenario(
    scenario: Scenario, ledger: Ledger
) -> None:
    station_id = Station.create_id("CP-1")
    statuses = [
        r
        for r in history(ledger, station_id)
        if r["type"] == "Station.ConnectorStatusChanged"
    ]
    for step, record in enumerate(statuses, 1):
        at = parse_iso(record["recordedAt"])
        assert at is not None
        # At the instant the step was recorded, the station shows it…
        now = state_at(ledger, station_id, at, "station CP-1")
        assert _connectors(now) == connectors_after(step), step
        assert now["version"] == record["version"]
        # …and a microsecond earlier, it did not yet.
        before = state_at(ledger, station_id, at - timedelta(microseconds=1), "CP-1")
        assert _connectors(before) == connectors_after(step - 1), step


async def test_which_connectors_were_faulted_at_a_time(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(
        capsys, "history", "--station", "CP-1", "--database", scenario.database_url
    )
    faulted = next(r for r in lines(out) if r["data"].get("status") == "Faulted")
    # Right after the fault was recorded (asked with an offset), connector 2 is Faulted.
    at = parse_iso(faulted["recordedAt"])
    assert at is not None
    local = (at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+01:00")
    code, out, _ = cli(
        capsys,
        "state",
        "--station",
        "CP-1",
        "--at",
        local,
        "--database",
        scenario.database_url,
    )
    (state,) = lines(out)
    assert code == 0 and state["stationId"] == "CP-1"
    assert _faulted(state) == [2]
    assert state["state"]["connectors"][1]["error_code"] == "GroundFailure"
    # At the end of the story, none is.
    _, out, _ = cli(
        capsys,
        "state",
        "--station",
        "CP-1",
        "--at",
        "2100-01-01T00:00:00Z",
        "--database",
        scenario.database_url,
    )
    assert _faulted(lines(out)[0]) == []


async def test_transaction_state_before_and_after_its_stop(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(
        capsys,
        "history",
        "--transaction",
        str(scenario.transaction_id),
        "--database",
        scenario.database_url,
    )
    started, _, stopped = lines(out)
    answers = []
    for record in (started, stopped):
        _, out, _ = cli(
            capsys,
            "state",
            "--transaction",
            str(scenario.transaction_id),
            "--at",
            record["recordedAt"],
            "--database",
            scenario.database_url,
        )
        answers.append(lines(out)[0]["state"])
    assert [a["stopped"] for a in answers] == [False, True]
    assert answers[0]["transaction_id"] == scenario.transaction_id
    assert answers[0]["meter_start"] == 1000


async def test_state_table_lists_connectors(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys,
        "state",
        "--station",
        "CP-1",
        "--at",
        "2100-01-01",
        "--format",
        "table",
        "--database",
        scenario.database_url,
    )
    assert code == 0 and "CONNECTOR" in out
    rows = [line.split() for line in out.splitlines() if line[:1].isdigit()]
    assert [(row[0], row[1]) for row in rows] == [
        ("1", "Available"),
        ("2", "Available"),
    ]


def _connectors(state: dict[str, Any]) -> dict[int, str]:
    return {c["connector_id"]: c["status"] for c in state["state"]["connectors"]}


def _faulted(state: dict[str, Any]) -> list[int]:
    return [
        c["connector_id"]
        for c in state["state"]["connectors"]
        if c["status"] == "Faulted"
    ]


async def test_time_travel_across_snapshots_equals_replaying_the_events(
    scenario: Scenario, ledger: Ledger
) -> None:
    # CP-1 reports enough statuses to be snapshotted (every 100 events).
    assert scenario.station is not None
    for i in range(110):
        await scenario.station.status(2, ("Unavailable", "Available")[i % 2])
    await scenario.settle()
    station_id = Station.create_id("CP-1")
    stored = [event for _, event in ledger.of_aggregate(station_id)]
    assert len(stored) > 120
    assert ledger.central.snapshots is not None
    assert list(ledger.central.snapshots.get(station_id))  # there is one to start from
    for version in (99, 100, 101, 120, len(stored)):
        # The aggregate as the events alone make it, without any snapshot.
        replayed: Any = None
        for event in stored[:version]:
            replayed = event.mutate(replayed)
        at = stored[version - 1].timestamp
        travelled = state_at(ledger, station_id, at, "station CP-1")
        assert travelled["version"] == version
        assert travelled["state"] == render_state(replayed), version
