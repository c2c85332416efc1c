"""What the CSMS keeps from operator calls, read back over GraphQL: the operations
history, each station's configuration, connector availability (with Scheduled)."""

from __future__ import annotations

import asyncio
from typing import Any

from projections.follower import ProjectionFollower, forget
from projections.operations import OperationsProjection
from tests.e2e.conftest import Csms
from tests.e2e.operator import (
    OPERATIONS,
    answer,
    booted,
    charging,
    graphql,
    mutate,
    station_state,
    views_caught_up,
)

GET = """mutation($key: [String!]) { getConfiguration(stationId: "CP-1", key: $key) {
  operationId } }"""
CHANGE = """mutation($key: String!, $value: String!) {
  changeConfiguration(stationId: "CP-1", key: $key, value: $value) { status } }"""
AVAILABILITY = """mutation($connectorId: Int!, $type: AvailabilityType!) {
  changeAvailability(stationId: "CP-1", connectorId: $connectorId, type: $type) {
    status } }"""


def setting(
    key: str, value: str | None, readonly: bool | None, reboot: bool = False
) -> dict[str, object]:
    return {"key": key, "value": value, "readonly": readonly, "rebootRequired": reboot}


async def test_configuration_is_what_the_station_reported_and_accepted(
    csms: Csms,
) -> None:
    station = await booted(csms)
    # The operator reads every key (TC_019_1); the answer is kept as it came.
    call = mutate(csms, GET)
    await answer(
        station,
        "GetConfiguration",
        {
            "configurationKey": [
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
                {"key": "MeterValueSampleInterval", "readonly": False, "value": "0"},
                {"key": "SecretKey", "readonly": False},
            ]
        },
    )
    await call
    assert (await station_state(csms))["configuration"] == [
        setting("HeartbeatInterval", "300", False),
        setting("MeterValueSampleInterval", "0", False),
        setting("NumberOfConnectors", "2", True),
        setting("SecretKey", None, False),
    ]
    # Accepted and RebootRequired changes are kept; refused ones are not; the
    # write-only AuthorizationKey never keeps its value (EJ §3.10).
    for key, value, status in (
        ("HeartbeatInterval", "60", "Accepted"),
        ("MeterValueSampleInterval", "60", "RebootRequired"),
        ("NumberOfConnectors", "3", "Rejected"),
        ("AuthorizationKey", "0102", "Accepted"),
        ("Unknown", "1", "NotSupported"),
    ):
        call = mutate(csms, CHANGE, key=key, value=value)
        await answer(station, "ChangeConfiguration", {"status": status})
        await call
    assert (await station_state(csms))["configuration"] == [
        setting("AuthorizationKey", None, None),
        setting("HeartbeatInterval", "60", False),
        setting("MeterValueSampleInterval", "60", False, reboot=True),
        setting("NumberOfConnectors", "2", True),
        setting("SecretKey", None, False),
    ]
    # After the station reboots, the change is in effect.
    await station.boot()
    await views_caught_up(csms)
    assert not any(
        s["rebootRequired"] for s in (await station_state(csms))["configuration"]
    )


async def test_a_full_answer_replaces_the_list_and_unknown_keys_are_dropped(
    csms: Csms,
) -> None:
    station = await booted(csms)
    keys = [{"key": k, "readonly": False, "value": "1"} for k in ("A", "B", "C")]
    for asked, reply in (
        (None, {"configurationKey": keys}),
        (["B"], {"unknownKey": ["B"]}),
        (None, {"configurationKey": keys[2:]}),
    ):
        call = mutate(csms, GET, key=asked)
        await answer(station, "GetConfiguration", reply)
        await call
    # B was unknown when asked for; A was missing from the full list that followed.
    assert [s["key"] for s in (await station_state(csms))["configuration"]] == ["C"]


async def test_scheduled_availability_takes_effect_when_the_transaction_stops(
    csms: Csms,
) -> None:
    station = await booted(csms)
    first, second = (
        await charging(station, 1, "TAG-1"),
        await charging(station, 2, "TAG-2"),
    )
    # Connectors 1 and 0 are busy: Scheduled (Spec §5.2); nothing changes yet.
    for connector in (1, 0):
        call = mutate(csms, AVAILABILITY, connectorId=connector, type="Inoperative")
        await answer(station, "ChangeAvailability", {"status": "Scheduled"})
        await call
    assert await availability(csms) == {
        0: (None, "Inoperative"),
        1: (None, "Inoperative"),
        2: (None, None),
    }
    # Connector 1's transaction ends: its change applies, the station's waits for 2.
    await station.stop(first, 2000, reason="Local")
    await views_caught_up(csms)
    assert await availability(csms) == {
        0: (None, "Inoperative"),
        1: ("Inoperative", None),
        2: (None, None),
    }
    await station.stop(second, 2000, reason="Local")
    await views_caught_up(csms)
    assert (await availability(csms))[0] == ("Inoperative", None)
    # Back to Operative at once: accepted without a transaction running.
    call = mutate(csms, AVAILABILITY, connectorId=1, type="Operative")
    await answer(station, "ChangeAvailability", {"status": "Accepted"})
    await call
    assert (await availability(csms))[1] == ("Operative", None)


async def availability(csms: Csms) -> dict[int, tuple[str | None, str | None]]:
    connectors = (await station_state(csms))["connectors"]
    return {
        c["connectorId"]: (c["availability"], c["scheduledAvailability"])
        for c in connectors
    }


async def test_operations_are_listed_newest_first_page_by_page(csms: Csms) -> None:
    station = await booted(csms)
    await graphql(csms, 'mutation { clearCache(stationId: "CP-2") { status } }')
    call = mutate(csms, CHANGE, key="HeartbeatInterval", value="60")
    frame = await station.expect_call("ChangeConfiguration")
    await station.reply_error(frame[1], "InternalError", "flash full")
    await call
    call = mutate(csms, 'mutation { reset(stationId: "CP-1", type: Hard) { status } }')
    await answer(station, "Reset", {"status": "Accepted"})
    await call
    # Newest first, one per page, for CP-1 only.
    await views_caught_up(csms)
    page = (await graphql(csms, OPERATIONS, stationId="CP-1", first=1))["data"]
    newest = page["operations"]["edges"][0]["node"]
    assert page["operations"]["pageInfo"]["hasNextPage"]
    assert (newest["action"], newest["arguments"], newest["outcome"]) == (
        "Reset",
        '{"type":"Hard"}',
        "Accepted",
    )
    assert newest["response"] == '{"status":"Accepted"}'
    assert newest["requestedBy"].startswith("graphql@")
    assert newest["completedAt"] >= newest["requestedAt"]
    after = page["operations"]["pageInfo"]["endCursor"]
    rest = (await graphql(csms, OPERATIONS, stationId="CP-1", after=after))["data"]
    (older,) = [e["node"] for e in rest["operations"]["edges"]]
    assert (older["outcome"], older["errorCode"], older["errorDescription"]) == (
        "CallError",
        "InternalError",
        "flash full",
    )
    assert not rest["operations"]["pageInfo"]["hasNextPage"]
    # Every station's, and one by its id.
    everything = (await graphql(csms, OPERATIONS))["data"]["operations"]["edges"]
    assert [e["node"]["outcome"] for e in everything] == [
        "Accepted",
        "CallError",
        "Offline",
    ]
    found = await graphql(
        csms,
        "query($id: ID!) { operation(operationId: $id) { action } }",
        id=older["operationId"],
    )
    assert found["data"]["operation"] == {"action": "ChangeConfiguration"}


async def test_the_operations_view_rebuilt_from_the_events_equals_the_live_one(
    csms: Csms,
) -> None:
    await test_scheduled_availability_takes_effect_when_the_transaction_stops(csms)
    await test_configuration_is_what_the_station_reported_and_accepted(csms)
    await views_caught_up(csms)
    runtime = csms.runtime
    # One event at a time, from zero, into scratch tables beside the live ones.
    # (SqlProjection's ClassVars do not match the Projection protocol for mypy.)
    scratch: list[Any] = [OperationsProjection("scratch_")]
    rebuild = ProjectionFollower(runtime.central, runtime.db, scratch, batch_size=1)
    await asyncio.to_thread(rebuild.catch_up)
    live: list[Any] = [OperationsProjection()]

    def dump(projections: list[Any]) -> list[dict[str, object]]:
        with runtime.db.transaction() as cur:
            return [row for p in projections for row in p.dump(cur)]

    assert await asyncio.to_thread(dump, scratch) == await asyncio.to_thread(dump, live)
    await asyncio.to_thread(forget, runtime.db, scratch)
