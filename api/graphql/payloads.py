# mypy: disable-error-code="untyped-decorator"
# (strawberry.type(description=…) is typed as returning Any.)
"""Mutation payloads of the operator calls: the station's answer, field by field as
OCPP names it (Spec §6), and the operationId its request and outcome are recorded under.
"""

from __future__ import annotations

import strawberry

from api.graphql import enums as e
from api.graphql.context import CallResult


def _status(result: CallResult) -> str:
    return str((result.response or {})["status"])


def _operation_id(result: CallResult) -> strawberry.ID:
    return strawberry.ID(str(result.operation_id))


@strawberry.type
class RemoteStartTransactionPayload:
    operation_id: strawberry.ID
    status: e.RemoteStartStopStatus

    @classmethod
    def of(cls, result: CallResult) -> RemoteStartTransactionPayload:
        return cls(
            operation_id=_operation_id(result),
            status=e.RemoteStartStopStatus(_status(result)),
        )


@strawberry.type
class RemoteStopTransactionPayload:
    operation_id: strawberry.ID
    status: e.RemoteStartStopStatus

    @classmethod
    def of(cls, result: CallResult) -> RemoteStopTransactionPayload:
        return cls(
            operation_id=_operation_id(result),
            status=e.RemoteStartStopStatus(_status(result)),
        )


@strawberry.type
class ResetPayload:
    operation_id: strawberry.ID
    status: e.ResetStatus

    @classmethod
    def of(cls, result: CallResult) -> ResetPayload:
        return cls(
            operation_id=_operation_id(result), status=e.ResetStatus(_status(result))
        )


@strawberry.type
class UnlockConnectorPayload:
    operation_id: strawberry.ID
    status: e.UnlockStatus

    @classmethod
    def of(cls, result: CallResult) -> UnlockConnectorPayload:
        return cls(
            operation_id=_operation_id(result), status=e.UnlockStatus(_status(result))
        )


@strawberry.type
class ChangeAvailabilityPayload:
    operation_id: strawberry.ID
    status: e.AvailabilityStatus

    @classmethod
    def of(cls, result: CallResult) -> ChangeAvailabilityPayload:
        return cls(
            operation_id=_operation_id(result),
            status=e.AvailabilityStatus(_status(result)),
        )


@strawberry.type
class ChangeConfigurationPayload:
    operation_id: strawberry.ID
    status: e.ConfigurationStatus

    @classmethod
    def of(cls, result: CallResult) -> ChangeConfigurationPayload:
        return cls(
            operation_id=_operation_id(result),
            status=e.ConfigurationStatus(_status(result)),
        )


@strawberry.type
class ClearCachePayload:
    operation_id: strawberry.ID
    status: e.ClearCacheStatus

    @classmethod
    def of(cls, result: CallResult) -> ClearCachePayload:
        return cls(
            operation_id=_operation_id(result),
            status=e.ClearCacheStatus(_status(result)),
        )


@strawberry.type(description="A configuration key as the station reported it (§7.29).")
class KeyValue:
    key: str
    readonly: bool
    value: str | None


@strawberry.type
class GetConfigurationPayload:
    operation_id: strawberry.ID
    configuration_key: list[KeyValue]
    unknown_key: list[str]

    @classmethod
    def of(cls, result: CallResult) -> GetConfigurationPayload:
        answer = result.response or {}
        keys = [
            KeyValue(key=k["key"], readonly=k["readonly"], value=k.get("value"))
            for k in answer.get("configurationKey", [])
        ]
        return cls(
            operation_id=_operation_id(result),
            configuration_key=keys,
            unknown_key=list(answer.get("unknownKey", [])),
        )


@strawberry.type
class DataTransferPayload:
    operation_id: strawberry.ID
    status: e.DataTransferStatus
    data: str | None

    @classmethod
    def of(cls, result: CallResult) -> DataTransferPayload:
        return cls(
            operation_id=_operation_id(result),
            status=e.DataTransferStatus(_status(result)),
            data=(result.response or {}).get("data"),
        )
