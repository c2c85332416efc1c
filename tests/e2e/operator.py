"""The operator's side of the end-to-end tests: GraphQL over real HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from domain import commands
from tests.e2e.conftest import Csms
from tests.e2e.station import AnsweringStation

WAIT = 10.0  # seconds; a bound for a loaded machine, never slept

OPERATION_FIELDS = """operationId stationId action arguments requestedBy requestedAt
  completedAt outcome errorCode errorDescription response"""
OPERATIONS = f"""query($stationId: ID, $first: Int = 50, $after: String) {{
  operations(stationId: $stationId, first: $first, after: $after) {{
    edges {{ cursor node {{ {OPERATION_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }} }} }}"""
STATION_STATE = """query($id: ID!) { station(id: $id) {
  configuration { key value readonly rebootRequired }
  connectors { connectorId status availability scheduledAvailability } } }"""


async def graphql(csms: Csms, query: str, **variables: Any) -> dict[str, Any]:
    response = await csms.client.post(
        "/graphql", json={"query": query, "variables": variables}
    )
    assert response.status == 200, await response.text()
    return await response.json()  # type: ignore[no-any-return]


def mutate(csms: Csms, query: str, **variables: Any) -> asyncio.Task[dict[str, Any]]:
    """Start a mutation; the station answers its CALL while the request waits."""
    return asyncio.create_task(graphql(csms, query, **variables))


async def booted(csms: Csms, station_id: str = "CP-1") -> AnsweringStation:
    """OCTT's default state: the charge point is Accepted, connected, and its
    connectors 0, 1 and 2 are Available (test-cases.md §2, reusable state Booted)."""
    station = await csms.connect(station_id)
    assert (await station.boot())["status"] == "Accepted"
    for connector in (0, 1, 2):
        await station.status(connector, "Available")
    return station


async def charging(
    station: AnsweringStation, connector: int = 1, id_tag: str = "TAG-1"
) -> int:
    """Reusable state Charging: Authorize, Preparing, StartTransaction, Charging."""
    assert (await station.authorize(id_tag))["idTagInfo"]["status"] == "Accepted"
    await station.status(connector, "Preparing")
    started = await station.start(connector, id_tag, meter=1000)
    assert started["idTagInfo"]["status"] == "Accepted"
    await station.status(connector, "Charging")
    return int(started["transactionId"])


async def answer(
    station: AnsweringStation, action: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Receive our CALL of `action`, answer it with `payload`; return what we sent."""
    frame = await station.expect_call(action)
    await station.reply(frame[1], payload)
    return frame[3]  # type: ignore[no-any-return]


async def views_caught_up(csms: Csms) -> None:
    head = await asyncio.to_thread(csms.runtime.central.recorder.max_notification_id)
    assert await asyncio.to_thread(csms.runtime.follower.wait, head, WAIT)


async def operations(
    csms: Csms, station_id: str | None = "CP-1"
) -> list[dict[str, Any]]:
    await views_caught_up(csms)  # a mutation answers before the views show it
    result = await graphql(csms, OPERATIONS, stationId=station_id)
    return [edge["node"] for edge in result["data"]["operations"]["edges"]]


async def station_state(csms: Csms, station_id: str = "CP-1") -> dict[str, Any]:
    await views_caught_up(csms)
    return (await graphql(csms, STATION_STATE, id=station_id))["data"]["station"]  # type: ignore[no-any-return]


async def seeded(csms: Csms) -> Csms:
    await csms.seed(
        commands.RegisterStation("CP-1"), commands.UpsertIdTag("TAG-1", "Accepted")
    )
    return csms


class Subscriber:
    """A graphql-transport-ws client (what GraphiQL or Apollo speak)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    @classmethod
    async def connect(
        cls,
        csms: Csms,
        init: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Subscriber:
        ws = await csms.client.ws_connect(
            "/graphql", protocols=("graphql-transport-ws",), headers=headers or {}
        )
        subscriber = cls(ws)
        await subscriber.send({"type": "connection_init", "payload": init or {}})
        return subscriber

    async def acknowledged(self) -> Subscriber:
        assert (await self.receive())["type"] == "connection_ack"
        return self

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        message = await self.ws.receive(timeout=WAIT)
        assert message.type is aiohttp.WSMsgType.TEXT, message
        return json.loads(message.data)  # type: ignore[no-any-return]

    async def subscribe(self, query: str, **variables: Any) -> None:
        await self.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": variables},
            }
        )

    async def next(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "next", message
        return message["payload"]  # type: ignore[no-any-return]


async def until_subscribed(csms: Csms, count: int = 1) -> None:
    """The server handles a subscribe message in its own task: let it run until the
    hub counts the subscriber (the server shares this event loop)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while csms.runtime.live.subscriber_count < count:
        assert loop.time() < deadline, "the subscription never started"
        await asyncio.sleep(0)
