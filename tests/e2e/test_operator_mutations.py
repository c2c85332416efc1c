"""Every operator mutation over real sockets, on both stores: the station accepts,
rejects, answers CALLERROR, stays silent, is offline, or disconnects mid-call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import Csms, StartCsms
from tests.e2e.operator import answer, booted, mutate, operations, seeded


@dataclass(frozen=True)
class Case:
    name: str  # the mutation
    arguments: str  # GraphQL variable definitions
    selection: str
    variables: dict[str, Any]
    action: str
    sent: dict[str, Any]  # the CALL payload the station must receive
    accepted: dict[str, Any]  # a station's positive answer…
    rejected: dict[str, Any]  # …and a negative one

    @property
    def document(self) -> str:
        names = [part.split(":")[0].strip() for part in self.arguments.split(",")]
        passed = ", ".join(f"{n[1:]}: {n}" for n in names)
        return (
            f"mutation({self.arguments}) {{ {self.name}({passed}) "
            f"{{ operationId {self.selection} }} }}"
        )


ACCEPTED, REJECTED = {"status": "Accepted"}, {"status": "Rejected"}
KEYS = [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
CASES = [
    Case(
        "remoteStartTransaction",
        "$stationId: ID!, $idTag: String!, $connectorId: Int",
        "status",
        {"idTag": "TAG-1", "connectorId": 1},
        "RemoteStartTransaction",
        {"idTag": "TAG-1", "connectorId": 1},
        ACCEPTED,
        REJECTED,
    ),
    Case(
        "remoteStopTransaction",
        "$stationId: ID!, $transactionId: Int!",
        "status",
        {"transactionId": 424242},
        "RemoteStopTransaction",
        {"transactionId": 424242},
        ACCEPTED,
        REJECTED,
    ),
    Case(
        "reset",
        "$stationId: ID!, $type: ResetType!",
        "status",
        {"type": "Soft"},
        "Reset",
        {"type": "Soft"},
        ACCEPTED,
        REJECTED,
    ),
    Case(
        "unlockConnector",
        "$stationId: ID!, $connectorId: Int!",
        "status",
        {"connectorId": 99},
        "UnlockConnector",
        {"connectorId": 99},
        {"status": "Unlocked"},
        {"status": "UnlockFailed"},
    ),
    Case(
        "changeAvailability",
        "$stationId: ID!, $connectorId: Int!, $type: AvailabilityType!",
        "status",
        {"connectorId": 0, "type": "Inoperative"},
        "ChangeAvailability",
        {"connectorId": 0, "type": "Inoperative"},
        {"status": "Scheduled"},
        REJECTED,
    ),
    Case(
        "changeConfiguration",
        "$stationId: ID!, $key: String!, $value: String!",
        "status",
        {"key": "NoSuchKey", "value": "-1"},
        "ChangeConfiguration",
        {"key": "NoSuchKey", "value": "-1"},
        {"status": "RebootRequired"},
        {"status": "NotSupported"},
    ),
    Case(
        "getConfiguration",
        "$stationId: ID!, $key: [String!]",
        "configurationKey { key readonly value } unknownKey",
        {"key": ["HeartbeatInterval", "Nope"]},
        "GetConfiguration",
        {"key": ["HeartbeatInterval", "Nope"]},
        {"configurationKey": KEYS, "unknownKey": ["Nope"]},
        {"unknownKey": ["Nope"]},
    ),
    Case(
        "clearCache",
        "$stationId: ID!",
        "status",
        {},
        "ClearCache",
        {},
        ACCEPTED,
        REJECTED,
    ),
    Case(
        "dataTransfer",
        "$stationId: ID!, $vendorId: String!, $messageId: String, $data: String",
        "status data",
        {"vendorId": "ACME", "data": '{"a":1}'},
        "DataTransfer",
        {"vendorId": "ACME", "data": '{"a":1}'},
        {"status": "Accepted", "data": "ok"},
        {"status": "UnknownVendorId"},
    ),
]
BY_NAME = pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)


def _expected(case: Case, answer: dict[str, Any]) -> dict[str, Any]:
    if case.name == "getConfiguration":
        return {
            "configurationKey": answer.get("configurationKey", []),
            "unknownKey": answer.get("unknownKey", []),
        }
    if case.name == "dataTransfer":
        return {"status": answer["status"], "data": answer.get("data")}
    return answer


@BY_NAME
@pytest.mark.parametrize("answered", ["accepted", "rejected"])
async def test_the_station_answer_comes_back_with_the_operation_id(
    csms: Csms, case: Case, answered: str
) -> None:
    station = await booted(csms)
    reply = case.accepted if answered == "accepted" else case.rejected
    # The operator asks; the station receives exactly the OCPP arguments and answers.
    call = mutate(csms, case.document, stationId="CP-1", **case.variables)
    assert await answer(station, case.action, reply) == case.sent
    result = await call
    # The payload is the station's answer plus the id it is recorded under.
    payload = result["data"][case.name]
    assert {k: v for k, v in payload.items() if k != "operationId"} == _expected(
        case, reply
    )
    (recorded,) = await operations(csms)
    assert recorded["operationId"] == payload["operationId"]
    assert recorded["action"] == case.action
    outcome = reply.get("status", "Answered")
    assert (recorded["outcome"], recorded["errorCode"]) == (outcome, None)


@BY_NAME
async def test_a_callerror_is_a_typed_error_with_code_and_description(
    csms: Csms, case: Case
) -> None:
    station = await booted(csms)
    call = mutate(csms, case.document, stationId="CP-1", **case.variables)
    frame = await station.expect_call(case.action)
    await station.reply_error(frame[1], "NotSupported", "not on this model")
    result = await call
    assert result["data"] == {case.name: None}
    error = result["errors"][0]
    assert error["extensions"] == {
        "code": "CALL_ERROR",
        "operationId": error["extensions"]["operationId"],
        "errorCode": "NotSupported",
        "errorDescription": "not on this model",
    }
    (recorded,) = await operations(csms)
    assert (recorded["outcome"], recorded["errorCode"]) == ("CallError", "NotSupported")
    assert recorded["operationId"] == error["extensions"]["operationId"]


@BY_NAME
async def test_a_silent_station_is_a_timeout(start_csms: StartCsms, case: Case) -> None:
    node = await seeded(await start_csms(call_timeout=0.3))
    station = await booted(node)
    call = mutate(node, case.document, stationId="CP-1", **case.variables)
    await station.expect_call(case.action)  # and never answers
    result = await call
    assert result["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert (await operations(node))[0]["outcome"] == "Timeout"


@BY_NAME
async def test_an_offline_station_is_an_error_and_still_recorded(
    csms: Csms, case: Case
) -> None:
    result = await mutate(csms, case.document, stationId="CP-1", **case.variables)
    extensions = result["errors"][0]["extensions"]
    assert extensions["code"] == "STATION_OFFLINE"
    (recorded,) = await operations(csms)
    assert (recorded["operationId"], recorded["outcome"]) == (
        extensions["operationId"],
        "Offline",
    )


@BY_NAME
async def test_a_station_disconnecting_mid_call_fails_it_at_once(
    csms: Csms, case: Case
) -> None:
    # The default call timeout is 30 s: an answer now proves it did not wait for it.
    station = await booted(csms)
    call = mutate(csms, case.document, stationId="CP-1", **case.variables)
    await station.expect_call(case.action)
    await station.close()
    result = await call
    assert result["errors"][0]["extensions"]["code"] == "DISCONNECTED"
    assert (await operations(csms))[0]["outcome"] == "Disconnected"
