"""Two CSMS nodes sharing one PostgreSQL: an operator on node A reaches a station
connected to node B, and A's subscribers see B's station."""

from __future__ import annotations

import pytest

from domain import commands
from tests.e2e.conftest import StartCsms
from tests.e2e.operator import (
    Subscriber,
    answer,
    graphql,
    mutate,
    operations,
    until_subscribed,
    views_caught_up,
)

# Both nodes get postgres_url; the store parameter of start_csms is not used.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["two-nodes"]),
]
RESET = 'mutation { reset(stationId: "CP-9", type: Soft) { operationId status } }'
EVENTS = """subscription { stationEvents(stationId: "CP-9") {
  stationId ... on ConnectorStatusEvent { connectorId status } } }"""


async def test_a_mutation_on_one_node_reaches_the_station_on_the_other(
    postgres_url: str, start_csms: StartCsms
) -> None:
    node_a = await start_csms(database=postgres_url, node_id="node-a")
    node_b = await start_csms(database=postgres_url, node_id="node-b")
    await node_a.seed(commands.RegisterStation("CP-9"))
    # The station is connected to node B. Its presence row rides with B's next
    # commit: the boot's answer comes after that commit (a heartbeat's does not).
    station = await node_b.connect("CP-9")
    await station.boot()
    # The operator asks node A, which routes the CALL through node B.
    call = mutate(node_a, RESET)
    assert await answer(station, "Reset", {"status": "Accepted"}) == {"type": "Soft"}
    payload = (await call)["data"]["reset"]
    assert payload["status"] == "Accepted"
    # Both nodes show the same recorded operation.
    await views_caught_up(node_b)
    for node in (node_a, node_b):
        (recorded,) = await operations(node, "CP-9")
        assert (recorded["operationId"], recorded["outcome"]) == (
            payload["operationId"],
            "Accepted",
        )


async def test_a_station_connected_nowhere_is_offline_from_any_node(
    postgres_url: str, start_csms: StartCsms
) -> None:
    node_a = await start_csms(database=postgres_url, node_id="node-a")
    await start_csms(database=postgres_url, node_id="node-b")
    result = await graphql(node_a, RESET)
    assert result["errors"][0]["extensions"]["code"] == "STATION_OFFLINE"


async def test_a_subscriber_on_one_node_sees_a_station_on_the_other(
    postgres_url: str, start_csms: StartCsms
) -> None:
    node_a = await start_csms(database=postgres_url, node_id="node-a")
    node_b = await start_csms(database=postgres_url, node_id="node-b")
    await node_a.seed(commands.RegisterStation("CP-9"))
    station = await node_b.connect("CP-9")
    await station.boot()
    await views_caught_up(node_a)
    subscriber = await (await Subscriber.connect(node_a)).acknowledged()
    await subscriber.subscribe(EVENTS)
    await until_subscribed(node_a)
    # Whichever node's follower applies the events, node A's subscriber gets them.
    for connector, status in ((1, "Preparing"), (1, "Charging"), (2, "Faulted")):
        await station.status(connector, status, error="NoError")
    seen = [(await subscriber.next())["data"]["stationEvents"] for _ in range(3)]
    assert [(e["connectorId"], e["status"]) for e in seen] == [
        (1, "Preparing"),
        (1, "Charging"),
        (2, "Faulted"),
    ]
