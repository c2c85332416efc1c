"""Station-initiated Core messages over a real WebSocket, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

from projections.queries import SqlQueries
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


async def test_tc_003_regular_charging_session_plugin_first(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.status(1, "Preparing")
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    started = await station.start(1, "TAG-1")
    assert started["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Charging")


async def test_tc_004_2_identification_first_connection_timeout(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.authorize("TAG-1")
    await station.status(1, "Preparing")
    await station.status(1, "Available")
    # No pending session blocks the next case: the same tag starts at once.
    started = await station.start(1, "TAG-1")
    assert started["idTagInfo"]["status"] == "Accepted"


async def test_tc_005_1_ev_side_disconnected(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    tx = (await station.start(1, "TAG-1", meter=100))["transactionId"]
    await station.status(1, "Charging")
    await station.status(1, "SuspendedEV")
    assert await station.stop(tx, 900, reason="EVDisconnected", idTag="TAG-1") == {
        "idTagInfo": {"status": "Accepted"}
    }
    await station.status(1, "Finishing")
    await station.status(1, "Available")
    # The stop freed the tag: a new session is not ConcurrentTx.
    assert (await station.start(2, "TAG-1"))["idTagInfo"]["status"] == "Accepted"


async def test_tc_007_start_with_cached_id_and_no_authorize(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.status(1, "Preparing")
    assert (await station.start(1, "tag-1"))["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Charging")


async def test_tc_023_1_2_3_authorize_invalid_expired_blocked(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    for tag, status in (("NOBODY", "Invalid"), ("EXPIRED", "Expired"), ("BLOCKED", "Blocked")):
        assert (await station.authorize(tag))["idTagInfo"]["status"] == status


async def test_tc_024_lock_failure_records_faulted(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.authorize("TAG-1")
    await station.status(1, "Preparing")
    await station.status(1, "Faulted", error="ConnectorLockFailure", info="lock")
    found = csms.runtime.central.find_station("CP-1")
    assert found is not None
    assert found.connectors[1][:2] == ("Faulted", "ConnectorLockFailure")


async def test_tc_032_1_power_failure_stop_after_new_boot(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    tx = (await station.start(1, "TAG-1", meter=10))["transactionId"]
    await station.close()
    # Power cycle: a new socket, a new boot, then the stop of the old transaction.
    station = await csms.connect("CP-1")
    assert (await station.boot())["status"] == "Accepted"
    await station.status(0, "Available")
    await station.status(1, "Finishing")
    await station.stop(tx, 500, reason="PowerLoss")
    assert (await station.start(1, "TAG-1"))["idTagInfo"]["status"] == "Accepted"


async def test_tc_037_1_offline_start_with_old_timestamp(csms: Csms) -> None:
    station = await csms.connect("CP-1")  # reconnects without a BootNotification
    started = await station.start(1, "TAG-1", timestamp="2026-11-20T08:00:00Z")
    assert started["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Charging")


async def test_tc_037_3_offline_start_invalid_tag_still_gets_transaction_id(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    started = await station.start(1, "UNKNOWN-TAG", timestamp="2026-11-20T08:00:00Z")
    assert started["idTagInfo"]["status"] == "Invalid"
    assert started["transactionId"] > 0
    await station.status(1, "Charging")
    assert await station.stop(started["transactionId"], 10, reason="DeAuthorized") == {}
    await station.status(1, "Finishing")


async def test_tc_039_offline_transaction_start_and_stop_back_to_back(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    tx = await station.start(1, "TAG-1", meter=0, timestamp="2026-11-20T08:00:00Z")
    assert tx["idTagInfo"]["status"] == "Accepted"
    await station.stop(tx["transactionId"], 2500, timestamp="2026-11-20T09:00:00Z",
                       reason="Local")  # fmt: skip
    # The stop refers to the id just returned; the real (past) times are stored.
    runtime = csms.runtime
    assert runtime.follower.wait(runtime.central.recorder.max_notification_id(), 10)
    row = SqlQueries(runtime.db).get_transaction(tx["transactionId"])
    assert row is not None
    assert (row.started_at, row.stopped_at) == (
        datetime(2026, 11, 20, 8, tzinfo=UTC), datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert (row.energy_wh, row.stop_reason) == (2500, "Local")


async def test_tc_064_data_transfer_unknown_vendor(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    answer = await station.result("DataTransfer", {"vendorId": "com.example", "messageId": "x", "data": "1"})
    assert answer == {"status": "UnknownVendorId"}
