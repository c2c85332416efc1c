"""`chargeledger events`: the global log, its filters, the index and its tail."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from domain.timestamps import parse_iso
from ops.audit import EventFilter, event_types, events
from ops.audit_store import Ledger
from tests.audit.conftest import Scenario, build_index, cli

REQUIRED = {"position", "recordedAt", "type", "aggregate", "version", "data"}


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def everything(ledger: Ledger) -> list[dict[str, Any]]:
    return [r for r in events(ledger, EventFilter()) if r is not None]


def matching(records: list[dict[str, Any]], **where: Any) -> list[dict[str, Any]]:
    return [r for r in records if all(r.get(k) == v for k, v in where.items())]


async def test_events_without_filters_print_the_whole_log_in_order(
    scenario: Scenario, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "events", "--database", scenario.database_url)
    assert (code, err) == (0, "")
    printed = lines(out)
    stored = ledger.db.query(f"SELECT COUNT(*) AS n FROM {ledger.events_table}")[0]["n"]
    assert len(printed) == stored and printed[-1]["position"] == ledger.max_position()
    positions = [r["position"] for r in printed]
    assert positions == sorted(set(positions))
    for record in printed:
        assert record.keys() >= REQUIRED and record["aggregate"].keys() == {
            "kind",
            "id",
        }
    started = matching(printed, type="Transaction.Started")[0]
    assert (
        started["stationId"] == "CP-1" and started["aggregate"]["kind"] == "transaction"
    )
    assert started["data"]["started_at"] == "2026-11-25T10:00:00.000000Z"
    assert started["transactionId"] == scenario.transaction_id
    # Secrets stay out of an audit export; id tags belong to no station.
    assert all(
        "stationId" not in r for r in printed if r["aggregate"]["kind"] == "id_tag"
    )


async def test_station_filter_keeps_its_transactions_and_operations(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys, "events", "--station", "CP-1", "--database", scenario.database_url
    )
    printed = lines(out)
    assert code == 0 and {r["stationId"] for r in printed} == {"CP-1"}
    kinds = {r["aggregate"]["kind"] for r in printed}
    assert kinds == {"station", "transaction", "operation"}
    requested = matching(printed, type="Operation.Requested")[0]
    assert requested["aggregate"]["id"] == scenario.operation_id
    assert requested["data"]["requested_by"] == "alice"


FILTERS: list[dict[str, Any]] = [
    {"station": "CP-1"},
    {"station": "CP-2"},
    {"types": ("Station.ConnectorStatusChanged",)},
    {"types": ("Transaction.Started", "Transaction.Stopped")},
    {"station": "CP-1", "types": ("Station.ConnectorStatusChanged",)},
]


@pytest.mark.parametrize("where", FILTERS)
async def test_filters_answer_the_same_from_the_store_and_from_the_index(
    scenario: Scenario, ledger: Ledger, where: dict[str, Any]
) -> None:
    everything_ = everything(ledger)
    expected = [
        r
        for r in everything_
        if ("station" not in where or r.get("stationId") == where["station"])
        and ("types" not in where or r["type"] in where["types"])
    ]
    flt = EventFilter(**where)
    # No index yet: read from the store.
    assert list(events(ledger, flt)) == expected
    # The index built: the same answer through it.
    build_index(ledger)
    assert ledger.index_position() == ledger.max_position()
    assert list(events(ledger, flt)) == expected and expected


async def test_index_and_the_store_after_it_answer_together(
    scenario: Scenario, ledger: Ledger
) -> None:
    # The index has caught up with the story, then the station reports more.
    indexed = build_index(ledger)
    assert scenario.station is not None
    await scenario.station.status(2, "Unavailable")
    await scenario.station.status(2, "Available")
    await scenario.settle()
    assert ledger.max_position() > indexed
    flt = EventFilter(station="CP-1", types=("Station.ConnectorStatusChanged",))
    found = list(events(ledger, flt))
    assert found == matching(
        everything(ledger), stationId="CP-1", type="Station.ConnectorStatusChanged"
    )
    assert [r["data"]["status"] for r in found[-2:]] == ["Unavailable", "Available"]


@pytest.mark.parametrize("indexed", [False, True])
async def test_time_range_is_inclusive_at_both_ends(
    scenario: Scenario, ledger: Ledger, indexed: bool
) -> None:
    statuses = matching(everything(ledger), type="Station.ConnectorStatusChanged")
    since, until = statuses[2]["recordedAt"], statuses[5]["recordedAt"]
    if indexed:
        build_index(ledger)
    flt = EventFilter(
        types=("Station.ConnectorStatusChanged",),
        since=parse_iso(since),
        until=parse_iso(until),
    )
    assert [r["position"] for r in events(ledger, flt)] == [
        r["position"] for r in statuses if since <= r["recordedAt"] <= until
    ]
    # A microsecond later at the start leaves the first one out.
    later = EventFilter(
        types=flt.types,
        since=parse_iso(since) + timedelta(microseconds=1),
        until=flt.until,
    )
    assert next(r for r in events(ledger, later) if r)["recordedAt"] > since


async def test_cli_time_filters_accept_offsets_and_both_precisions(
    scenario: Scenario, ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    first = everything(ledger)[0]["recordedAt"]
    # The same instant written with an offset selects the same events.
    at = parse_iso(first)
    assert at is not None
    with_offset = (at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.%f+02:00")
    _, by_z, _ = cli(
        capsys, "events", "--from", first, "--database", scenario.database_url
    )
    _, by_offset, _ = cli(
        capsys, "events", "--from", with_offset, "--database", scenario.database_url
    )
    assert by_z == by_offset and lines(by_z)[0]["recordedAt"] == first
    whole_second = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    code, out, _ = cli(
        capsys, "events", "--from", whole_second, "--database", scenario.database_url
    )
    assert code == 0 and lines(out)[0]["recordedAt"] == first


async def test_short_type_names_match_every_aggregate_with_that_event() -> None:
    assert event_types(["MeterValuesRecorded"]) == (
        "Station.MeterValuesRecorded",
        "Transaction.MeterValuesRecorded",
    )


async def test_after_and_limit_page_through_the_log(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(capsys, "events", "--database", scenario.database_url)
    all_ = lines(out)
    _, page, _ = cli(
        capsys,
        "events",
        "--after",
        str(all_[4]["position"]),
        "--limit",
        "3",
        "--database",
        scenario.database_url,
    )
    assert lines(page) == all_[5:8]


async def test_table_format_is_for_people(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys,
        "events",
        "--station",
        "CP-2",
        "--format",
        "table",
        "--database",
        scenario.database_url,
    )
    header, *rows = out.splitlines()
    assert code == 0 and header.split()[:4] == ["POSITION", "RECORDED", "AT", "TYPE"]
    assert rows and all("CP-2" in row for row in rows)
    assert any("Station.BootNotified" in row for row in rows)


async def test_follow_prints_new_events_as_they_are_stored(
    scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = cli(
        capsys, "events", "--station", "CP-1", "--database", scenario.database_url
    )
    stored = len(lines(out))
    # Follow the station's events until two more than are stored now have printed.
    follow = asyncio.create_task(
        asyncio.to_thread(
            cli,
            capsys,
            "events",
            "--station",
            "CP-1",
            "--follow",
            "--interval",
            "0.1",
            "--limit",
            str(stored + 2),
            "--database",
            scenario.database_url,
        )
    )
    assert scenario.station is not None
    await scenario.station.status(1, "Unavailable")
    await scenario.station.status(1, "Available")
    code, out, _ = await asyncio.wait_for(follow, timeout=30)
    printed = lines(out)
    assert code == 0 and len(printed) == stored + 2
    assert [r["data"]["status"] for r in printed[-2:]] == ["Unavailable", "Available"]
