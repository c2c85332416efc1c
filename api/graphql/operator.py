# mypy: disable-error-code="untyped-decorator"
# (strawberry.mutation(description=…) is typed as returning Any.)
"""Operator calls to stations: every CSMS-initiated Core operation of OCPP 1.6 (§5).

Names are a public contract: the operation in camelCase, flat arguments named as the
OCPP fields plus `stationId`. Each payload carries the station's answer and the
`operationId` under which request and outcome are recorded; a failure is a GraphQL
error whose `extensions.code` says which (see api.graphql.calls).
"""

from __future__ import annotations

import strawberry

from api.graphql import enums as e
from api.graphql.calls import call_station
from api.graphql.charging import ChargingProfileInput
from api.graphql.context import Context
from api.graphql.payloads import (
    ChangeAvailabilityPayload,
    ChangeConfigurationPayload,
    ClearCachePayload,
    DataTransferPayload,
    GetConfigurationPayload,
    RemoteStartTransactionPayload,
    RemoteStopTransactionPayload,
    ResetPayload,
    UnlockConnectorPayload,
)

Info = strawberry.Info[Context, None]
StationId = strawberry.ID


@strawberry.type
class OperatorMutations:
    @strawberry.mutation(
        description="OCPP 1.6 §5.11. connectorId and chargingProfile "
        "(TxProfile, no transactionId) are optional."
    )
    async def remote_start_transaction(
        self,
        info: Info,
        station_id: StationId,
        id_tag: str,
        connector_id: int | None = None,
        charging_profile: ChargingProfileInput | None = None,
    ) -> RemoteStartTransactionPayload | None:
        result = await call_station(
            info,
            station_id,
            "RemoteStartTransaction",
            id_tag=id_tag,
            connector_id=connector_id,
            charging_profile=charging_profile,
        )
        return RemoteStartTransactionPayload.of(result)

    @strawberry.mutation(description="OCPP 1.6 §5.12. Any transactionId, known or not.")
    async def remote_stop_transaction(
        self, info: Info, station_id: StationId, transaction_id: int
    ) -> RemoteStopTransactionPayload | None:
        result = await call_station(
            info, station_id, "RemoteStopTransaction", transaction_id=transaction_id
        )
        return RemoteStopTransactionPayload.of(result)

    @strawberry.mutation(description="OCPP 1.6 §5.14.")
    async def reset(
        self, info: Info, station_id: StationId, type: e.ResetType
    ) -> ResetPayload | None:
        return ResetPayload.of(await call_station(info, station_id, "Reset", type=type))

    @strawberry.mutation(
        description="OCPP 1.6 §5.18. Any connectorId, also one the "
        "station does not have (TC_031)."
    )
    async def unlock_connector(
        self, info: Info, station_id: StationId, connector_id: int
    ) -> UnlockConnectorPayload | None:
        result = await call_station(
            info, station_id, "UnlockConnector", connector_id=connector_id
        )
        return UnlockConnectorPayload.of(result)

    @strawberry.mutation(
        description="OCPP 1.6 §5.2. Connector 0 is the whole station; "
        "Scheduled takes effect when its transaction ends."
    )
    async def change_availability(
        self,
        info: Info,
        station_id: StationId,
        connector_id: int,
        type: e.AvailabilityType,
    ) -> ChangeAvailabilityPayload | None:
        result = await call_station(
            info, station_id, "ChangeAvailability", connector_id=connector_id, type=type
        )
        return ChangeAvailabilityPayload.of(result)

    @strawberry.mutation(
        description="OCPP 1.6 §5.3. Any key and string value; "
        "nothing else is sent afterwards (trap T1)."
    )
    async def change_configuration(
        self, info: Info, station_id: StationId, key: str, value: str
    ) -> ChangeConfigurationPayload | None:
        result = await call_station(
            info, station_id, "ChangeConfiguration", key=key, value=value
        )
        return ChangeConfigurationPayload.of(result)

    @strawberry.mutation(
        description="OCPP 1.6 §5.8. Without `key` the request names "
        "no key and the station answers all (TC_019_1)."
    )
    async def get_configuration(
        self, info: Info, station_id: StationId, key: list[str] | None = None
    ) -> GetConfigurationPayload | None:
        # An empty list also means "all keys": leave it out, as TC_019_1 prefers.
        result = await call_station(
            info, station_id, "GetConfiguration", key=key or None
        )
        return GetConfigurationPayload.of(result)

    @strawberry.mutation(description="OCPP 1.6 §5.4.")
    async def clear_cache(
        self, info: Info, station_id: StationId
    ) -> ClearCachePayload | None:
        return ClearCachePayload.of(await call_station(info, station_id, "ClearCache"))

    @strawberry.mutation(description="OCPP 1.6 §5.6. Vendor-specific data, any text.")
    async def data_transfer(
        self,
        info: Info,
        station_id: StationId,
        vendor_id: str,
        message_id: str | None = None,
        data: str | None = None,
    ) -> DataTransferPayload | None:
        result = await call_station(
            info,
            station_id,
            "DataTransfer",
            vendor_id=vendor_id,
            message_id=message_id,
            data=data,
        )
        return DataTransferPayload.of(result)
