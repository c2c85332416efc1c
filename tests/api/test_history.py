"""GraphQL `events` and `stationAt`: the audit questions over real HTTP, on both stores,
answered from the same history as `chargeledger events` and `state`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.graphql.history import event_filter, through_millisecond
from api.graphql.pagination import encode
from domain import commands
from domain.station import Station
from domain.timestamps import parse_iso
from ops.audit import EventFilter, events, open_ledger
from tests.audit.conftest import (
    STATUS_STEPS,
    Scenario,
    connectors_after,
    scenario,
    start_csms,
)
from tests.e2e.conftest import Csms, StartCsms
from tests.e2e.operator import graphql, views_caught_up

__all__ = ["scenario", "start_csms"]  # the audit tests' fixtures, used here as well

TOKEN = "history-t0ken"
MILLISECOND = timedelta(milliseconds=1)
EVENTS = """query($stationId: ID, $transactionId: Int, $types: [String!],
  $from: DateTime, $to: DateTime, $first: Int = 50, $after: String) {
  events(stationId: $stationId, transactionId: $transactionId, types: $types,
         from: $from, to: $to, first: $first, after: $after) {
    edges { cursor node { position recordedAt type aggregateKind aggregateId version
                          stationId transactionId data } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
STATION_AT = """query($id: ID!, $at: DateTime!) { stationAt(id: $id, at: $at) {
  id version recordedAt registered registrationStatus
  connectors { connectorId status errorCode timestamp } state } }"""

Node = dict[str, Any]


async def all_events(csms: Csms, first: int = 50, **filters: Any) -> list[Node]:
    """Every matching event, page after page; checks the pages join up."""
    nodes: list[Node] = []
    after = None
    while True:
        found = await graphql(csms, EVENTS, first=first, after=after, **filters)
        assert "errors" not in found, found
        page = found["data"]["events"]
        edges, info = page["edges"], page["pageInfo"]
        assert len(edges) <= first and info["hasPreviousPage"] is (after is not None)
        if edges:
            assert info["endCursor"] == edges[-1]["cursor"]
        nodes += [edge["node"] for edge in edges]
        if not info["hasNextPage"]:
            return nodes
        after = info["endCursor"]


async def station_at(csms: Csms, station: str, at: datetime | str) -> Node | None:
    text = at if isinstance(at, str) else at.isoformat()
    found = await graphql(csms, STATION_AT, id=station, at=text)
    assert "errors" not in found, found
    return found["data"]["stationAt"]  # type: ignore[no-any-return]


def at(node: Node) -> datetime:
    parsed = parse_iso(node["recordedAt"])
    assert parsed is not None
    return parsed


def cli_records(database_url: str) -> list[dict[str, Any]]:
    with open_ledger(database_url) as ledger:
        return [r for r in events(ledger, EventFilter()) if r is not None]


async def test_events_are_the_whole_log_in_order_as_the_cli_prints_it(
    scenario: Scenario,
) -> None:
    # Paged seven at a time, the API lists what `chargeledger events` prints.
    listed = await all_events(scenario.csms, first=7)
    printed = await asyncio.to_thread(cli_records, scenario.database_url)
    assert len(listed) == len(printed) > 7
    for node, record in zip(listed, printed, strict=True):
        assert (node["position"], node["type"], node["version"]) == (
            record["position"], record["type"], record["version"],
        )  # fmt: skip
        assert node["aggregateKind"] == record["aggregate"]["kind"]
        assert node["aggregateId"] == record["aggregate"]["id"]
        assert node["stationId"] == record.get("stationId")
        assert node["transactionId"] == record.get("transactionId")
        assert json.loads(node["data"]) == record["data"]
        assert node["recordedAt"][:23] == record["recordedAt"][:23]  # to the ms
    registered = next(
        n
        for n in listed
        if n["type"] == "Station.Registered" and n["stationId"] == "CP-2"
    )
    assert json.loads(registered["data"]) == {"password_hash": "<redacted>"}


def where(
    nodes: list[Node], station: str | None = None, transaction: int | None = None,
    types: tuple[str, ...] = (), since: datetime | None = None,
    before: datetime | None = None,
) -> list[int]:  # fmt: skip
    """The positions a filter should answer, worked out from the whole log."""
    return [
        n["position"]
        for n in nodes
        if (station is None or n["stationId"] == station)
        and (transaction is None or n["transactionId"] == transaction)
        and (not types or n["type"] in types)
        and (since is None or at(n) >= since)
        and (before is None or at(n) < before)
    ]


async def check_filters(scenario: Scenario) -> None:
    csms, txid = scenario.csms, scenario.transaction_id
    log = await all_events(csms, first=500)
    statuses = [n for n in log if n["type"] == "Station.ConnectorStatusChanged"]
    since, before = at(statuses[2]), at(statuses[-1])  # the fault … the last step
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({"stationId": "CP-2"}, where(log, station="CP-2")),
        ({"transactionId": txid}, where(log, transaction=txid)),
        ({"types": ["ConnectorStatusChanged"], "stationId": "CP-1"},
         where(log, "CP-1", types=("Station.ConnectorStatusChanged",))),
        ({"types": ["Transaction.Started", "Transaction.Stopped"]},
         where(log, types=("Transaction.Started", "Transaction.Stopped"))),
        ({"from": since.isoformat(), "to": before.isoformat()},
         where(log, since=since, before=before)),
        ({"stationId": "CP-1", "from": since.isoformat()},
         where(log, "CP-1", since=since)),
        ({"from": since.isoformat(), "to": since.isoformat()}, []),
        ({"stationId": "CP-404"}, []),
        ({"types": []}, [n["position"] for n in log]),
    ]  # fmt: skip
    for filters, expected in cases:
        for first in (3, 500):  # across pages, and in one
            found = await all_events(csms, first=first, **filters)
            assert [n["position"] for n in found] == expected, (filters, first)
    assert where(log, station="CP-2") and where(log, since=since, before=before)
    # The transaction's own story: its number, start, meter values and stop.
    types = {n["type"] for n in log if n["transactionId"] == txid}
    assert {"Transaction.Started", "Transaction.Stopped"} <= types
    reported = [json.loads(n["data"]) for n in statuses if n["stationId"] == "CP-1"]
    assert [(d["connector_id"], d["status"], d["error_code"]) for d in reported] == (
        STATUS_STEPS
    )


async def test_filters_combine_whether_or_not_the_index_has_caught_up(
    scenario: Scenario,
) -> None:
    # Right after the story the index may lag: the store answers for the rest.
    await check_filters(scenario)
    # Caught up, the same answers come from the index.
    await views_caught_up(scenario.csms)
    await check_filters(scenario)


def connectors(snapshot: Node) -> dict[int, str]:
    return {c["connectorId"]: c["status"] for c in snapshot["connectors"]}


async def test_station_at_each_step_matches_the_scenario(scenario: Scenario) -> None:
    csms = scenario.csms
    station = str(Station.create_id("CP-1"))
    own = [n for n in await all_events(csms, stationId="CP-1")
           if n["aggregateId"] == station]  # fmt: skip
    statuses = [n for n in own if n["type"] == "Station.ConnectorStatusChanged"]
    assert len(statuses) == len(STATUS_STEPS)
    for step in statuses:
        for instant in (at(step), at(step) - MILLISECOND):
            snapshot = await station_at(csms, "CP-1", instant)
            assert snapshot is not None and snapshot["id"] == "CP-1"
            # Times are answered to the millisecond: what was listed by then.
            seen = [n for n in own if at(n) <= instant]
            done = sum(1 for n in statuses if at(n) <= instant)
            assert connectors(snapshot) == connectors_after(done), instant
            assert snapshot["version"] == seen[-1]["version"]
            assert snapshot["recordedAt"] == seen[-1]["recordedAt"]
            state = json.loads(snapshot["state"])
            assert {c["connector_id"]: c["status"] for c in state["connectors"]} == (
                connectors(snapshot)
            )


async def test_which_connector_was_faulted_then(scenario: Scenario) -> None:
    csms = scenario.csms
    statuses = await all_events(
        csms, stationId="CP-1", types=["Station.ConnectorStatusChanged"]
    )
    faulted = next(n for n in statuses if json.loads(n["data"])["status"] == "Faulted")
    # Asked with an offset, right after the fault was recorded.
    local = (at(faulted) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+01:00")
    snapshot = await station_at(csms, "CP-1", local)
    assert snapshot is not None
    assert [c["connectorId"] for c in snapshot["connectors"]
            if c["status"] == "Faulted"] == [2]  # fmt: skip
    assert snapshot["connectors"][1]["errorCode"] == "GroundFailure"
    assert snapshot["registered"] is True
    assert snapshot["registrationStatus"] == "Accepted"
    # Today every connector is Available again.
    now = await station_at(csms, "CP-1", "2100-01-01T00:00:00Z")
    assert now is not None and set(connectors(now).values()) == {"Available"}


async def test_station_at_is_null_before_it_existed_and_for_strangers(
    scenario: Scenario,
) -> None:
    csms = scenario.csms
    assert await station_at(csms, "CP-1", "2000-01-01T00:00:00Z") is None
    assert await station_at(csms, "CP-404", "2100-01-01T00:00:00Z") is None
    cp2 = await station_at(csms, "CP-2", "2100-01-01T00:00:00Z")
    assert cp2 is not None and json.loads(cp2["state"])["password_hash"] == "<redacted>"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"types": ["Station.Exploded"]}, "unknown event type 'Station.Exploded'"),
        ({"types": ["Exploded"]}, "unknown event type 'Exploded'"),
        ({"first": 501}, "first must be between 0 and 500"),
        ({"after": encode("station", "CP-1")}, "invalid cursor"),
        ({"after": "not a cursor"}, "invalid cursor"),
    ],
)
async def test_bad_arguments_are_clear_errors(
    scenario: Scenario, variables: dict[str, Any], message: str
) -> None:
    found = await graphql(scenario.csms, EVENTS, **variables)
    assert found["data"] is None
    assert [e["message"] for e in found["errors"]] == [message]


async def test_history_needs_the_bearer_token(start_csms: StartCsms) -> None:
    csms = await start_csms(api_token=TOKEN)
    await csms.seed(commands.RegisterStation("CP-1"))
    query = {"query": "{ events { edges { node { type } } } "
             'stationAt(id: "CP-1", at: "2100-01-01T00:00:00Z") { id } }'}  # fmt: skip
    refused = await csms.client.post("/graphql", json=query)
    assert refused.status == 401
    answered = await csms.client.post(
        "/graphql", json=query, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answered.status == 200
    data = (await answered.json())["data"]
    assert [e["node"]["type"] for e in data["events"]["edges"]] == [
        "Station.Identified",
        "Station.Registered",
    ]
    assert data["stationAt"] == {"id": "CP-1"}


def test_to_is_exclusive_and_at_means_its_whole_millisecond() -> None:
    # Times are stored to the microsecond and answered to the millisecond: `to` stops
    # just before itself, and `at` given to the millisecond takes all of it in.
    moment = datetime(2026, 11, 25, 3, 0, 0, 123000, tzinfo=UTC)
    flt = event_filter(None, None, None, moment, moment + MILLISECOND, None)
    assert (flt.since, flt.until) == (moment, moment + timedelta(microseconds=999))
    assert through_millisecond(moment) == moment + timedelta(microseconds=999)
    exact = moment + timedelta(microseconds=456)
    assert through_millisecond(exact) == exact
