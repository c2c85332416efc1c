"""Bad input gets a clear CALLERROR with the 1.6 spelling; the connection survives."""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.e2e.conftest import Csms


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ("not json", ["-1", "FormationViolation"]),
        ('{"a": 1}', ["-1", "FormationViolation"]),
        ('[2, "m1"]', ["m1", "ProtocolError"]),
        ('[2, "m2", "Heartbeat"]', ["m2", "ProtocolError"]),
        ('[2, "m3", "Heartbeat", []]', ["m3", "FormationViolation"]),
        ('[2, "m4", "FancyAction", {}]', ["m4", "NotImplemented"]),
        ('[2, "m5", "Reset", {"type": "Hard"}]', ["m5", "NotSupported"]),
        ('[2, "m6", "Authorize", {}]', ["m6", "ProtocolError"]),
        ('[2, "m7", "Authorize", {"idTag": 5}]', ["m7", "TypeConstraintViolation"]),
        ('[2, "m8", "Authorize", {"idTag": "123456789012345678901"}]',
         ["m8", "TypeConstraintViolation"]),
        ('[2, "m9", "StatusNotification", {"connectorId": 1, "errorCode": "Bad", '
         '"status": "Available"}]', ["m9", "PropertyConstraintViolation"]),
        ('[2, "m10", "Authorize", {"idTag": "A", "extra": 1}]',
         ["m10", "FormationViolation"]),
    ],
)
async def test_malformed_frames_get_1_6_callerrors_and_the_connection_survives(
    csms: Csms, frame: str, expected: list[str]
) -> None:
    station = await csms.connect("CP-1")
    answer = await station.send_raw(frame)
    assert answer[0] == 4
    assert answer[1:3] == expected
    assert isinstance(answer[3], str) and isinstance(answer[4], dict)
    # The same socket still serves.
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"


async def test_unknown_message_type_is_ignored(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.ws.send_str('[9, "x", "Heartbeat", {}]')
    assert "currentTime" in await station.result("Heartbeat", {})


async def test_oversized_message_gets_a_callerror_not_a_disconnect(start_csms) -> None:  # type: ignore[no-untyped-def]
    node = await start_csms(max_message_size=1024)
    from domain import commands

    await node.seed(commands.RegisterStation("CP-1"))
    station = await node.connect("CP-1")
    big = json.dumps([2, "big-1", "DataTransfer", {"vendorId": "v", "data": "x" * 1500}])
    answer = await station.send_raw(big)
    assert answer[:3] == [4, "big-1", "GenericError"]
    assert "currentTime" in await station.result("Heartbeat", {})


async def test_handshake_without_ocpp16_is_refused_before_upgrade(csms: Csms) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await csms.client.ws_connect("/ocpp/CP-1", protocols=("ocpp0.1",))
    assert refused.value.status == 400
    station = await csms.client.ws_connect("/ocpp/CP-1", protocols=("ocpp0.1", "ocpp1.6"))
    assert station.protocol == "ocpp1.6"
    await station.close()
