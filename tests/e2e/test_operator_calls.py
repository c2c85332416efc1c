"""Operator calls over real sockets: only the OCPP schema judges the arguments, one
CALL at a time per station, and nothing is ever sent that the operator did not ask."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Csms, StartCsms
from tests.e2e.operator import (
    answer,
    booted,
    charging,
    graphql,
    mutate,
    operations,
    seeded,
    views_caught_up,
)

REMOTE_START = """mutation($idTag: String!, $connectorId: Int,
  $chargingProfile: ChargingProfileInput) {
  remoteStartTransaction(stationId: "CP-1", idTag: $idTag, connectorId: $connectorId,
    chargingProfile: $chargingProfile) { operationId status } }"""
RESET = """mutation($type: ResetType!) { reset(stationId: "CP-1", type: $type) {
  operationId status } }"""
CHANGE = """mutation($key: String!, $value: String!) {
  changeConfiguration(stationId: "CP-1", key: $key, value: $value) { status } }"""


async def test_arguments_breaking_the_ocpp_schema_are_refused_and_nothing_is_sent(
    csms: Csms,
) -> None:
    station = await booted(csms)
    # idTag is a CiString20 and a configuration key a CiString50 (Spec §7.28, §6.9).
    for query, variables in (
        (REMOTE_START, {"idTag": "T" * 21}),
        (CHANGE, {"key": "K" * 51, "value": "1"}),
    ):
        result = await graphql(csms, query, **variables)
        error = result["errors"][0]
        assert error["extensions"] == {
            "code": "INVALID_ARGUMENTS",
            "errorCode": "TypeConstraintViolation",
        }
    # Nothing went out and nothing was recorded: the next frame answers our own CALL.
    assert "currentTime" in await station.result("Heartbeat", {})
    assert await operations(csms) == []


async def test_a_full_call_queue_is_a_queue_full_error(start_csms: StartCsms) -> None:
    node = await seeded(await start_csms(call_queue=1))
    station = await booted(node)
    first = mutate(node, RESET, type="Hard")
    frame = await station.expect_call("Reset")
    # One call is outstanding and the queue holds one: the next is refused.
    refused = await graphql(node, RESET, type="Soft")
    assert refused["errors"][0]["extensions"]["code"] == "QUEUE_FULL"
    assert "operationId" in refused["errors"][0]["extensions"]
    await station.reply(frame[1], {"status": "Accepted"})
    assert (await first)["data"]["reset"]["status"] == "Accepted"


async def test_a_charging_profile_is_sent_in_full_with_omissions_and_one_decimal(
    csms: Csms,
) -> None:
    station = await booted(csms)
    profile: dict[str, Any] = {
        "chargingProfileId": 7,
        "stackLevel": 2,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Recurring",
        "recurrencyKind": "Daily",
        "validFrom": "2026-11-25T11:00:00+01:00",
        "validTo": "2026-11-26T10:00:00.250Z",
        "chargingSchedule": {
            "duration": 86400,
            "startSchedule": "2026-11-25T00:00:00Z",
            "chargingRateUnit": "W",
            "minChargingRate": 1380.04,
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 6000, "numberPhases": 1},
                {"startPeriod": 3600, "limit": 16.26},
            ],
        },
    }
    call = mutate(csms, REMOTE_START, idTag="TAG-1", chargingProfile=profile)
    sent = await answer(station, "RemoteStartTransaction", {"status": "Accepted"})
    # No connectorId nor transactionId was given, so none is sent (trap T5); times go
    # out in UTC; limits as numbers with one decimal (schema multipleOf 0.1).
    assert sent == {
        "idTag": "TAG-1",
        "chargingProfile": {
            **profile,
            "validFrom": "2026-11-25T10:00:00Z",
            "validTo": "2026-11-26T10:00:00.250Z",
            "chargingSchedule": {
                **profile["chargingSchedule"],
                "minChargingRate": 1380.0,
                "chargingSchedulePeriod": [
                    {"startPeriod": 0, "limit": 6000.0, "numberPhases": 1},
                    {"startPeriod": 3600, "limit": 16.3},
                ],
            },
        },
    }
    assert (await call)["data"]["remoteStartTransaction"]["status"] == "Accepted"


async def test_two_mutations_to_one_station_are_serialised_and_its_messages_served(
    csms: Csms,
) -> None:
    station = await booted(csms)
    first = mutate(csms, RESET, type="Hard")
    frame = await station.expect_call("Reset")
    second = mutate(csms, CHANGE, key="HeartbeatInterval", value="60")
    # While our CALL is outstanding, the station's own CALLs are answered…
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Preparing")
    # …and the second CALL only comes once the first is answered (J §4.1.1).
    await station.reply(frame[1], {"status": "Rejected"})
    assert await answer(station, "ChangeConfiguration", {"status": "Accepted"}) == {
        "key": "HeartbeatInterval",
        "value": "60",
    }
    assert (await first)["data"]["reset"]["status"] == "Rejected"
    assert (await second)["data"]["changeConfiguration"]["status"] == "Accepted"


async def test_odd_but_valid_arguments_go_to_the_station_unjudged(csms: Csms) -> None:
    station = await booted(csms)
    tx = await charging(station)
    # An unknown transaction, our own one, a connector the station lacks: all sent.
    for transaction_id in (tx + 1000, tx):
        call = mutate(
            csms,
            """mutation($t: Int!) { remoteStopTransaction(
            stationId: "CP-1", transactionId: $t) { status } }""",
            t=transaction_id,
        )
        assert await answer(
            station, "RemoteStopTransaction", {"status": "Rejected"}
        ) == {"transactionId": transaction_id}
        await call
    call = mutate(
        csms,
        'mutation { unlockConnector(stationId: "CP-1", connectorId: -5) { status } }',
    )
    assert await answer(station, "UnlockConnector", {"status": "NotSupported"}) == {
        "connectorId": -5
    }
    assert (await call)["data"]["unlockConnector"]["status"] == "NotSupported"


async def test_nothing_is_sent_to_a_station_that_the_operator_did_not_ask(
    csms: Csms,
) -> None:
    # Trap T1: a connect, a boot, a transaction, a reconnect without boot, a
    # configuration change: after none of them does the CSMS send a CALL of its own.
    # Every frame the station receives is the answer to its own CALL
    # (ScriptedStation.call checks the message id), until the operator asks.
    station = await booted(csms)
    tx = await charging(station)
    await station.stop(tx, 2000, reason="Local")
    await station.status(1, "Finishing")
    await station.close()
    station = await csms.connect("CP-1")  # back, without a BootNotification
    await station.status(1, "Available")
    call = mutate(csms, CHANGE, key="MeterValueSampleInterval", value="60")
    await answer(station, "ChangeConfiguration", {"status": "Accepted"})
    await call
    assert "currentTime" in await station.result("Heartbeat", {})
    await station.authorize("TAG-1")
    # The one operation recorded is the operator's; every CALL goes through the
    # gateway, which records it before sending.
    await views_caught_up(csms)
    assert [op["action"] for op in await operations(csms, None)] == [
        "ChangeConfiguration"
    ]
