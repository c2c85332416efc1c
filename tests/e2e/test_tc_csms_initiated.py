"""OCTT Central-System cases of the Core profile that need a CSMS-initiated call
(ocpp16/test-cases.md §4), on both stores. The station plays the OCTT charge point;
the GraphQL mutation is the tester's manual action; each test asserts what the tool
checks on our messages."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Csms
from tests.e2e.operator import (
    answer,
    booted,
    charging,
    graphql,
    mutate,
    operations,
    views_caught_up,
)
from tests.e2e.station import AnsweringStation

TRANSACTIONS = """query { transactions(stationId: "CP-1", active: true) {
  edges { node { transactionId idTag } } } }"""


async def operator_calls(
    csms: Csms,
    station: AnsweringStation,
    mutation: str,
    action: str,
    reply: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tester triggers `mutation`; the tool answers `reply`. Returns the CALL
    payload the tool received and the mutation's payload."""
    call = mutate(csms, f"mutation {{ {mutation} }}")
    sent = await answer(station, action, reply)
    result = await call
    assert "errors" not in result, result
    return sent, next(iter(result["data"].values()))


async def open_transactions(csms: Csms) -> list[dict[str, Any]]:
    await views_caught_up(csms)
    result = await graphql(csms, TRANSACTIONS)
    return [edge["node"] for edge in result["data"]["transactions"]["edges"]]


REMOTE_START = (
    'remoteStartTransaction(stationId: "CP-1", idTag: "TAG-1", '
    "connectorId: 1) { status }"
)


async def test_tc_010_remote_start_cable_plugged_in_first(csms: Csms) -> None:
    station = await booted(csms)
    await station.status(1, "Preparing")
    sent, payload = await operator_calls(
        csms, station, REMOTE_START, "RemoteStartTransaction", {"status": "Accepted"}
    )
    assert sent == {"idTag": "TAG-1", "connectorId": 1}
    assert payload == {"status": "Accepted"}
    # The tool authorises and starts with the remote start's idTag: both Accepted.
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    started = await station.start(1, "TAG-1")
    assert started["idTagInfo"]["status"] == "Accepted" and started["transactionId"] > 0
    await station.status(1, "Charging")


async def test_tc_011_1_remote_start_remote_start_first(csms: Csms) -> None:
    station = await booted(csms)
    sent, _ = await operator_calls(
        csms, station, REMOTE_START, "RemoteStartTransaction", {"status": "Accepted"}
    )
    assert sent == {"idTag": "TAG-1", "connectorId": 1}
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Preparing")
    started = await station.start(1, "TAG-1")
    assert started["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Charging")


async def test_tc_011_2_remote_start_time_out(csms: Csms) -> None:
    station = await booted(csms)
    await operator_calls(
        csms, station, REMOTE_START, "RemoteStartTransaction", {"status": "Accepted"}
    )
    assert (await station.authorize("TAG-1"))["idTagInfo"]["status"] == "Accepted"
    await station.status(1, "Preparing")
    await station.status(1, "Available")  # the connection timeout passed
    # It expires quietly: no transaction, nothing pending; the tag starts at once.
    assert await open_transactions(csms) == []
    assert (await station.start(2, "TAG-1"))["idTagInfo"]["status"] == "Accepted"


async def test_tc_012_remote_stop_charging_session(csms: Csms) -> None:
    station = await booted(csms)
    tx = await charging(station)
    # The operator sees the transactionId allocated in the Charging state.
    assert await open_transactions(csms) == [{"transactionId": tx, "idTag": "TAG-1"}]
    sent, payload = await operator_calls(
        csms,
        station,
        f'remoteStopTransaction(stationId: "CP-1", transactionId: {tx}) {{ status }}',
        "RemoteStopTransaction",
        {"status": "Accepted"},
    )
    assert sent == {"transactionId": tx} and payload == {"status": "Accepted"}
    await station.stop(tx, 2000, reason="Remote")
    await station.status(1, "Finishing")
    await station.status(1, "Available")
    assert await open_transactions(csms) == []


async def test_tc_013_hard_reset(csms: Csms) -> None:
    await reset(csms, "Hard")


async def test_tc_014_soft_reset(csms: Csms) -> None:
    await reset(csms, "Soft")


async def reset(csms: Csms, kind: str) -> None:
    station = await booted(csms)
    sent, payload = await operator_calls(
        csms,
        station,
        f'reset(stationId: "CP-1", type: {kind}) {{ status }}',
        "Reset",
        {"status": "Accepted"},
    )
    assert sent == {"type": kind} and payload == {"status": "Accepted"}
    # The station reboots: Boot Accepted, then connector 0 and each connector.
    assert (await station.boot())["status"] == "Accepted"
    for connector in (0, 1, 2):
        await station.status(connector, "Available")


async def unlock(
    csms: Csms, station: AnsweringStation, connector: int, status: str
) -> None:
    sent, payload = await operator_calls(
        csms,
        station,
        f'unlockConnector(stationId: "CP-1", connectorId: {connector}) {{ status }}',
        "UnlockConnector",
        {"status": status},
    )
    assert sent == {"connectorId": connector} and payload == {"status": status}


async def test_tc_017_1_unlock_connector_no_session_not_fixed_cable(csms: Csms) -> None:
    await unlock(csms, await booted(csms), 1, "Unlocked")


async def test_tc_017_2_unlock_connector_no_session_fixed_cable(csms: Csms) -> None:
    await unlock(csms, await booted(csms), 1, "NotSupported")
    # Recorded; nothing else happens.
    assert [op["outcome"] for op in await operations(csms)] == ["NotSupported"]


async def test_tc_018_1_unlock_connector_with_session(csms: Csms) -> None:
    station = await booted(csms)
    tx = await charging(station)
    await unlock(csms, station, 1, "Unlocked")
    # Finishing arrives before the stop; the stop closes the transaction.
    await station.status(1, "Finishing")
    assert await station.stop(tx, 3000, reason="UnlockCommand") == {}
    await station.status(1, "Available")
    assert await open_transactions(csms) == []


async def test_tc_019_1_retrieve_all_configuration_keys(csms: Csms) -> None:
    station = await booted(csms)
    keys = [
        {"key": "NumberOfConnectors", "readonly": True, "value": "2"},
        {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
    ]
    sent, payload = await operator_calls(
        csms,
        station,
        'getConfiguration(stationId: "CP-1") { configurationKey '
        "{ key readonly value } unknownKey }",
        "GetConfiguration",
        {"configurationKey": keys},
    )
    assert sent == {}  # no `key` at all
    assert payload == {"configurationKey": keys, "unknownKey": []}


async def test_tc_019_2_retrieve_specific_configuration_key(csms: Csms) -> None:
    station = await booted(csms)
    key = {"key": "SupportedFeatureProfiles", "readonly": True, "value": "Core"}
    sent, payload = await operator_calls(
        csms,
        station,
        'getConfiguration(stationId: "CP-1", '
        'key: ["SupportedFeatureProfiles"]) { configurationKey { key value } '
        "unknownKey }",
        "GetConfiguration",
        {"configurationKey": [key], "unknownKey": []},
    )
    assert sent == {"key": ["SupportedFeatureProfiles"]}  # exactly that one key
    assert payload == {
        "configurationKey": [{"key": "SupportedFeatureProfiles", "value": "Core"}],
        "unknownKey": [],
    }


async def change(
    csms: Csms, station: AnsweringStation, key: str, value: str, status: str
) -> None:
    sent, payload = await operator_calls(
        csms,
        station,
        f'changeConfiguration(stationId: "CP-1", key: "{key}", '
        f'value: "{value}") {{ status }}',
        "ChangeConfiguration",
        {"status": status},
    )
    assert sent == {"key": key, "value": value} and payload == {"status": status}


async def test_tc_021_change_set_configuration(csms: Csms) -> None:
    station = await booted(csms)
    await change(csms, station, "MeterValueSampleInterval", "60", "Accepted")
    # No GetConfiguration follows (trap T1): the next frame answers the station.
    assert "currentTime" in await station.result("Heartbeat", {})
    await views_caught_up(csms)
    assert [op["action"] for op in await operations(csms)] == ["ChangeConfiguration"]


async def test_tc_026_remote_start_rejected(csms: Csms) -> None:
    station = await booted(csms)
    _, payload = await operator_calls(
        csms, station, REMOTE_START, "RemoteStartTransaction", {"status": "Rejected"}
    )
    assert payload == {"status": "Rejected"}
    # No phantom transaction or pending start is left behind.
    assert await open_transactions(csms) == []
    assert (await station.start(1, "TAG-1"))["idTagInfo"]["status"] == "Accepted"


async def test_tc_028_remote_stop_transaction_rejected(csms: Csms) -> None:
    station = await booted(csms)
    tx = await charging(station)
    unknown = tx + 100_000  # the case describes a transactionId nobody knows
    sent, payload = await operator_calls(
        csms,
        station,
        f'remoteStopTransaction(stationId: "CP-1", '
        f"transactionId: {unknown}) {{ status }}",
        "RemoteStopTransaction",
        {"status": "Rejected"},
    )
    assert sent == {"transactionId": unknown} and payload == {"status": "Rejected"}
    assert await open_transactions(csms) == [{"transactionId": tx, "idTag": "TAG-1"}]


async def test_tc_030_unlock_connector_unlock_failure(csms: Csms) -> None:
    await unlock(csms, await booted(csms), 1, "UnlockFailed")


async def test_tc_031_unlock_connector_unknown_connector(csms: Csms) -> None:
    # NumberOfConnectors + 1: a connector the station does not have is still sent.
    await unlock(csms, await booted(csms), 3, "NotSupported")


async def test_tc_040_1_configuration_keys_not_supported(csms: Csms) -> None:
    await change(csms, await booted(csms), "UnknownVendorKey", "1", "NotSupported")


async def test_tc_040_2_configuration_keys_invalid_value(csms: Csms) -> None:
    # "-1" satisfies both editions; negative values are never refused (trap T4).
    await change(csms, await booted(csms), "MeterValueSampleInterval", "-1", "Rejected")


async def test_tc_061_clear_authorization_data_in_authorization_cache(
    csms: Csms,
) -> None:
    station = await booted(csms)
    sent, payload = await operator_calls(
        csms,
        station,
        'clearCache(stationId: "CP-1") { status }',
        "ClearCache",
        {"status": "Accepted"},
    )
    assert sent == {} and payload == {"status": "Accepted"}
