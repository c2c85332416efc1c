"""The operator mutations' names and arguments are a public contract (issue 4): the
OCPP operation in camelCase, the OCPP fields in camelCase plus stationId, flat."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type

from api.graphql.schema import build_schema

CONTRACT = {
    "remoteStartTransaction": ["stationId", "idTag", "connectorId", "chargingProfile"],
    "remoteStopTransaction": ["stationId", "transactionId"],
    "reset": ["stationId", "type"],
    "unlockConnector": ["stationId", "connectorId"],
    "changeAvailability": ["stationId", "connectorId", "type"],
    "changeConfiguration": ["stationId", "key", "value"],
    "getConfiguration": ["stationId", "key"],
    "clearCache": ["stationId"],
    "dataTransfer": ["stationId", "vendorId", "messageId", "data"],
}
# OCPP 1.6 csChargingProfiles, every field (Spec §7.8, §7.13, §7.14).
PROFILE = {
    "ChargingProfileInput": {
        "chargingProfileId",
        "transactionId",
        "stackLevel",
        "chargingProfilePurpose",
        "chargingProfileKind",
        "recurrencyKind",
        "validFrom",
        "validTo",
        "chargingSchedule",
    },
    "ChargingScheduleInput": {
        "duration",
        "startSchedule",
        "chargingRateUnit",
        "chargingSchedulePeriod",
        "minChargingRate",
    },
    "ChargingSchedulePeriodInput": {"startPeriod", "limit", "numberPhases"},
}


@pytest.fixture(scope="module")
def schema() -> Any:
    return build_schema()._schema


@pytest.mark.parametrize(("name", "arguments"), CONTRACT.items())
def test_each_mutation_takes_the_ocpp_fields_flat_and_answers_an_operation_id(
    schema: Any, name: str, arguments: list[str]
) -> None:
    field = schema.mutation_type.fields[name]
    assert list(field.args) == arguments
    payload = get_named_type(field.type)
    assert isinstance(payload, GraphQLObjectType)
    assert payload.name == name[0].upper() + name[1:] + "Payload"
    assert "operationId" in payload.fields


def test_the_charging_profile_input_mirrors_ocpp_in_full(schema: Any) -> None:
    for name, fields in PROFILE.items():
        input_type = schema.type_map[name]
        assert isinstance(input_type, GraphQLInputObjectType)
        assert set(input_type.fields) == fields


def test_enums_are_spelled_as_ocpp(schema: Any) -> None:
    assert list(schema.type_map["ResetType"].values) == ["Hard", "Soft"]
    assert list(schema.type_map["AvailabilityType"].values) == [
        "Inoperative",
        "Operative",
    ]
    assert "Scheduled" in schema.type_map["AvailabilityStatus"].values


async def test_without_a_gateway_an_operator_call_is_a_clean_error(
    graphql: Any,
) -> None:
    # The API alone (no OCPP side on this app): refused, not a crash.
    result = await graphql('mutation { clearCache(stationId: "CP-1") { status } }')
    assert result["data"] == {"clearCache": None}
    assert result["errors"][0]["message"] == "this node cannot call stations"
