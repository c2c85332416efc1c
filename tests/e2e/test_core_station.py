"""Station-initiated Core messages over a real WebSocket, on both stores."""

from __future__ import annotations

from tests.e2e.conftest import Csms


async def test_tc_001_cold_boot(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    # Station boots and is Accepted with an integer interval > 0.
    boot = await station.boot()
    assert boot["status"] == "Accepted" and boot["interval"] > 0
    # It reports connector 0 and each connector, then heartbeats.
    for connector in (0, 1, 2):
        assert await station.status(connector, "Available") == {}
    assert "currentTime" in await station.result("Heartbeat", {})


async def test_tc_004_1_regular_charging_session_identification_first(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Preparing")
    started = await station.start(1, "TAG-1", meter=1000)
    assert started["idTagInfo"]["status"] == "Accepted"
    assert started["transactionId"] > 0
    await station.status(1, "Charging")
