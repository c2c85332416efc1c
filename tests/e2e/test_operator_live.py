"""The stationEvents subscription over graphql-transport-ws, on both stores: live
status changes, transactions and operation outcomes, for one station or all."""

from __future__ import annotations

import aiohttp

from domain import commands
from tests.e2e.conftest import Csms, StartCsms
from tests.e2e.operator import (
    Subscriber,
    answer,
    booted,
    charging,
    mutate,
    seeded,
    until_subscribed,
    views_caught_up,
)

EVENTS = """subscription($stationId: ID) { stationEvents(stationId: $stationId) {
  __typename stationId recordedAt
  ... on ConnectorStatusEvent { connectorId status errorCode }
  ... on TransactionStartedEvent { transactionId connectorId idTag }
  ... on TransactionStoppedEvent { transactionId meterStop reason }
  ... on OperationCompletedEvent { operationId action outcome callErrorCode } } }"""


async def test_a_subscriber_sees_its_station_change_status(csms: Csms) -> None:
    await csms.seed(commands.RegisterStation("CP-2"))
    other, station = await booted(csms, "CP-2"), await booted(csms)
    await views_caught_up(csms)  # the boots are history, not news
    subscriber = await (await Subscriber.connect(csms)).acknowledged()
    await subscriber.subscribe(EVENTS, stationId="CP-1")
    await until_subscribed(csms)
    # Another station's change is not for this subscriber; CP-1's is, at once.
    await other.status(1, "Faulted", error="GroundFailure")
    await station.status(1, "Preparing")
    event = (await subscriber.next())["data"]["stationEvents"]
    assert {
        k: event[k] for k in ("__typename", "stationId", "connectorId", "status")
    } == {
        "__typename": "ConnectorStatusEvent",
        "stationId": "CP-1",
        "connectorId": 1,
        "status": "Preparing",
    }


async def test_all_stations_transactions_and_operation_outcomes(csms: Csms) -> None:
    station = await booted(csms)
    await views_caught_up(csms)
    subscriber = await (await Subscriber.connect(csms)).acknowledged()
    await subscriber.subscribe(EVENTS)
    await until_subscribed(csms)
    # A session runs; the operator stops it remotely; the station stops it.
    tx = await charging(station)
    call = mutate(
        csms,
        """mutation($t: Int!) { remoteStopTransaction(stationId: "CP-1",
        transactionId: $t) { operationId } }""",
        t=tx,
    )
    await answer(station, "RemoteStopTransaction", {"status": "Accepted"})
    operation_id = (await call)["data"]["remoteStopTransaction"]["operationId"]
    await station.stop(tx, 5000, reason="Remote")
    seen = [(await subscriber.next())["data"]["stationEvents"] for _ in range(5)]
    assert [e["__typename"] for e in seen] == [
        "ConnectorStatusEvent",
        "TransactionStartedEvent",
        "ConnectorStatusEvent",
        "OperationCompletedEvent",
        "TransactionStoppedEvent",
    ]
    assert seen[1]["transactionId"] == seen[4]["transactionId"] == tx
    assert (seen[3]["operationId"], seen[3]["action"], seen[3]["outcome"]) == (
        operation_id,
        "RemoteStopTransaction",
        "Accepted",
    )
    assert (seen[4]["meterStop"], seen[4]["reason"]) == (5000, "Remote")


async def test_the_api_token_is_required_in_the_header_or_in_connection_init(
    start_csms: StartCsms,
) -> None:
    node = await seeded(await start_csms(api_token="s3cret"))
    # In the upgrade's header, or in the connection_init payload (browsers).
    for init, headers in (
        ({}, {"Authorization": "Bearer s3cret"}),
        ({"Authorization": "Bearer s3cret"}, {}),
    ):
        subscriber = await Subscriber.connect(node, init, headers)
        await subscriber.acknowledged()
        await subscriber.ws.close()
    # Neither: the connection is refused before anything runs.
    refused = await Subscriber.connect(node, {"Authorization": "Bearer wrong"})
    closed = await refused.ws.receive(timeout=10)
    assert closed.type is aiohttp.WSMsgType.CLOSE and closed.data == 4403
