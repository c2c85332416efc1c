"""The outbound gateway over real sockets: every outcome is answered and recorded."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ocpp.gateway import InvalidArguments, OperationResult
from domain.operation import Operation
from tests.e2e.conftest import Csms, StartCsms


async def _reset(csms: Csms, station: str = "CP-1") -> asyncio.Task[OperationResult]:
    return asyncio.create_task(csms.gateway.call(station, "Reset", {"type": "Hard"}, "tester"))


def recorded(csms: Csms, result: OperationResult) -> Operation:
    operation = csms.runtime.central.repository.get(result.operation_id)
    assert isinstance(operation, Operation)
    return operation


@pytest.mark.parametrize("status", ["Accepted", "Rejected"])
async def test_station_answers_and_both_request_and_outcome_are_recorded(
    csms: Csms, status: str
) -> None:
    station = await csms.connect("CP-1")
    call = await _reset(csms)
    frame = await station.expect_call("Reset")
    assert frame[3] == {"type": "Hard"}
    await station.reply(frame[1], {"status": status})
    result = await call
    assert result.outcome == status and not result.failed
    operation = recorded(csms, result)
    assert (operation.action, operation.arguments, operation.outcome) == (
        "Reset", {"type": "Hard"}, status)


async def test_station_callerror_is_a_recorded_failure(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    call = await _reset(csms)
    frame = await station.expect_call()
    await station.reply_error(frame[1], "NotSupported", "no reset here")
    result = await call
    assert (result.outcome, result.error_code) == ("CallError", "NotSupported")
    assert recorded(csms, result).outcome == "CallError"


async def test_silent_station_times_out(start_csms: StartCsms) -> None:
    node = await start_csms(call_timeout=0.3)
    from domain import commands

    await node.seed(commands.RegisterStation("CP-1"))
    station = await node.connect("CP-1")
    call = await _reset(node)
    await station.expect_call("Reset")  # and never answers
    assert (await call).outcome == "Timeout"


async def test_offline_station(csms: Csms) -> None:
    result = await csms.gateway.call("CP-1", "ClearCache", {}, "tester")
    assert result.outcome == "Offline"
    assert recorded(csms, result).outcome == "Offline"


async def test_disconnect_mid_call_fails_at_once(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    call = await _reset(csms)
    await station.expect_call("Reset")
    await station.close()
    assert (await call).outcome == "Disconnected"


async def test_invalid_arguments_are_refused_before_anything_is_sent(csms: Csms) -> None:
    await csms.connect("CP-1")
    with pytest.raises(InvalidArguments) as refused:
        await csms.gateway.call("CP-1", "Reset", {"type": "Medium"}, "tester")
    assert refused.value.code == "PropertyConstraintViolation"


async def test_odd_but_valid_arguments_go_to_the_station(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    call = asyncio.create_task(
        csms.gateway.call("CP-1", "UnlockConnector", {"connectorId": 99}, "tester"))
    frame = await station.expect_call("UnlockConnector")
    assert frame[3] == {"connectorId": 99}
    await station.reply(frame[1], {"status": "NotSupported"})
    assert (await call).outcome == "NotSupported"


async def test_calls_to_one_station_are_serialised_and_its_messages_still_served(
    csms: Csms,
) -> None:
    station = await csms.connect("CP-1")
    first, second = await _reset(csms), await _reset(csms)
    frame = await station.expect_call("Reset")
    # While our CALL is outstanding the station's own CALLs are answered…
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    # …and the second CALL only comes after the first is answered.
    await station.reply(frame[1], {"status": "Accepted"})
    frame2 = await station.expect_call("Reset")
    assert frame2[1] != frame[1]
    await station.reply(frame2[1], {"status": "Rejected"})
    assert [(await first).outcome, (await second).outcome] == ["Accepted", "Rejected"]


async def test_optional_arguments_left_out_are_not_sent_as_null(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    call = asyncio.create_task(csms.gateway.call(
        "CP-1", "GetConfiguration", {"key": None}, "tester"))
    frame = await station.expect_call("GetConfiguration")
    assert frame[3] == {}
    await station.reply(frame[1], {"configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"}]})
    result = await call
    assert result.outcome == "Answered"
    assert result.response == {"configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"}]}


@pytest.mark.postgres
async def test_two_nodes_route_a_call_to_the_node_holding_the_station(
    postgres_url: str, start_csms: StartCsms
) -> None:
    from domain import commands

    node_a = await start_csms(database=postgres_url, node_id="node-a")
    node_b = await start_csms(database=postgres_url, node_id="node-b")
    await node_a.seed(commands.RegisterStation("CP-9"))
    # The station is connected to node B; its presence reaches the shared table.
    station = await node_b.connect("CP-9")
    await station.result("Heartbeat", {})
    # An operator asks node A; node A routes the CALL through node B.
    call = asyncio.create_task(node_a.gateway.call("CP-9", "Reset", {"type": "Soft"}, "op"))
    frame = await station.expect_call("Reset")
    await station.reply(frame[1], {"status": "Accepted"})
    result = await call
    assert result.outcome == "Accepted"
    assert recorded(node_a, result).outcome == "Accepted"
