"""Station registry, boot policy and HTTP Basic auth (security profile 1)."""

from __future__ import annotations

import aiohttp
import pytest

from domain import commands
from domain.credentials import hash_password
from tests.e2e.conftest import Csms, StartCsms


async def test_unknown_station_is_rejected_recorded_and_gets_security_error(csms: Csms) -> None:
    station = await csms.connect("STRANGER")  # unknown identities are upgraded
    boot = await station.boot(vendor="Other", model="Y")
    assert boot["status"] == "Rejected"
    answer = await station.call("StatusNotification",
                                {"connectorId": 0, "errorCode": "NoError", "status": "Available"})  # fmt: skip
    assert answer[:3] == [4, answer[1], "SecurityError"]
    found = csms.runtime.central.find_station("STRANGER")
    assert found is not None and not found.registered


@pytest.mark.parametrize(("policy", "answer"), [("pending", "Pending"), ("accept", "Accepted")])
async def test_unknown_station_policy(start_csms: StartCsms, policy: str, answer: str) -> None:
    node = await start_csms(unknown_stations=policy)
    station = await node.connect("NEWBIE")
    assert (await station.boot())["status"] == answer
    heartbeat = await station.call("Heartbeat", {})
    assert heartbeat[0] == (3 if answer == "Accepted" else 4)


async def test_registered_station_served_on_a_new_connection_without_boot(csms: Csms) -> None:
    first = await csms.connect("CP-1")
    await first.boot()
    await first.close()
    again = await csms.connect("CP-1")
    assert (await again.start(1, "TAG-1"))["idTagInfo"]["status"] == "Accepted"


async def test_basic_auth_required_when_a_password_is_registered(csms: Csms) -> None:
    await csms.seed(commands.RegisterStation("CP-SEC", hash_password("s3cret-pass")))
    for password in (None, "wrong"):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await csms.connect("CP-SEC", password)
        assert refused.value.status == 401
    station = await csms.connect("CP-SEC", "s3cret-pass")
    assert (await station.boot())["status"] == "Accepted"
    # A reconnect with the cached credential works too.
    await station.close()
    station = await csms.connect("CP-SEC", "s3cret-pass")
    assert "currentTime" in await station.result("Heartbeat", {})


async def test_reregistering_replaces_the_password(csms: Csms) -> None:
    await csms.seed(commands.RegisterStation("CP-SEC", hash_password("old-password")))
    (await csms.connect("CP-SEC", "old-password"))
    await csms.seed(commands.RegisterStation("CP-SEC", hash_password("new-password")))
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await csms.connect("CP-SEC", "old-password")
    assert await csms.connect("CP-SEC", "new-password")


async def test_data_transfer_known_vendor_unknown_message(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    ping = {"vendorId": "ChargeLedger", "messageId": "Ping", "data": "hello"}
    assert await station.result("DataTransfer", ping) == {"status": "Accepted", "data": "hello"}
    other = {"vendorId": "ChargeLedger", "messageId": "Nope"}
    assert await station.result("DataTransfer", other) == {"status": "UnknownMessageId"}
