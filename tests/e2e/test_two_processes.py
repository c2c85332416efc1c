"""Two real `chargeledger serve` processes on one PostgreSQL: an operator's call to
node A reaches the station connected to node B, and the answer comes back to A."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from adapters.storage.eventstore import eventsourcing_env
from domain import commands
from domain.application import CentralSystem
from tests.e2e.processes import ServerProcess

RESET = 'mutation { reset(stationId: "CP-2N", type: Hard) { operationId status } }'


@pytest.mark.postgres
async def test_reset_through_node_a_reaches_a_station_on_node_b(postgres_url: str) -> None:
    central = CentralSystem(eventsourcing_env(postgres_url))
    central.handle(commands.RegisterStation("CP-2N"))
    central.close()
    node_a, node_b = ServerProcess(postgres_url), ServerProcess(postgres_url)
    try:
        await node_a.start()
        await node_b.start()
        async with aiohttp.ClientSession() as http:
            # The station connects to node B and boots (its ownership is committed).
            station = await http.ws_connect(
                f"ws://127.0.0.1:{node_b.port}/ocpp/CP-2N", protocols=("ocpp1.6",))
            await station.send_str(json.dumps([2, "b1", "BootNotification", {
                "chargePointVendor": "ACME", "chargePointModel": "X1"}]))
            assert json.loads((await station.receive(timeout=30)).data)[2]["status"] == "Accepted"
            # The operator asks node A.
            mutation = asyncio.create_task(http.post(
                f"http://127.0.0.1:{node_a.port}/graphql", json={"query": RESET}))
            call = json.loads((await station.receive(timeout=30)).data)
            assert call[:3] == [2, call[1], "Reset"] and call[3] == {"type": "Hard"}
            await station.send_str(json.dumps([3, call[1], {"status": "Accepted"}]))
            answer = await (await mutation).json()
            assert answer["data"]["reset"]["status"] == "Accepted"
            assert answer["data"]["reset"]["operationId"]
            await station.close()
    finally:
        node_a.stop()
        node_b.stop()
