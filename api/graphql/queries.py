# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=…) is typed as returning Any.)
"""Query root: thin resolvers over the read-side queries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.graphql import connections as cx
from api.graphql import enums as e
from api.graphql import types as t
from api.graphql.context import Context
from api.graphql.operation_types import OperationNode
from api.graphql.pagination import DEFAULT_FIRST, bounded

Info = strawberry.Info[Context, None]
Id = Annotated[strawberry.ID, strawberry.argument(name="id")]
From = Annotated[datetime | None, strawberry.argument(name="from")]
To = Annotated[datetime | None, strawberry.argument(name="to")]


@strawberry.type
class Query:
    @strawberry.field
    async def station(self, info: Info, station_id: Id) -> t.StationNode | None:
        row = await info.context.read(info.context.queries.get_station, station_id)
        return t.StationNode.from_row(row) if row else None

    @strawberry.field(description="By id; `status` filters on registrationStatus.")
    async def stations(
        self, info: Info, status: e.RegistrationStatus | None = None,
        online: bool | None = None, connector_status: e.ChargePointStatus | None = None,
        first: int = DEFAULT_FIRST, after: str | None = None,
    ) -> cx.StationConnection:  # fmt: skip
        page = await info.context.read(
            info.context.queries.list_stations, first=bounded(first),
            after=cx.StationConnection.key(after), online=online,
            registration_status=status.value if status else None,
            connector_status=connector_status.value if connector_status else None,
        )  # fmt: skip
        return cx.StationConnection.of(page, after)

    @strawberry.field(description="Stations never registered by an operator, by id.")
    async def unknown_stations(
        self, info: Info, first: int = DEFAULT_FIRST, after: str | None = None
    ) -> cx.UnknownStationConnection:
        page = await info.context.read(
            info.context.queries.list_unknown_stations, first=bounded(first),
            after=cx.UnknownStationConnection.key(after),
        )  # fmt: skip
        return cx.UnknownStationConnection.of(page, after)

    @strawberry.field
    async def transaction(
        self, info: Info, transaction_id: int
    ) -> t.TransactionNode | None:
        queries = info.context.queries
        row = await info.context.read(queries.get_transaction, transaction_id)
        return t.TransactionNode.from_row(row) if row else None

    @strawberry.field(description="Newest first; `from` (inclusive) and `to` "
                      "(exclusive) bound startedAt; idTag ignores case.")  # fmt: skip
    async def transactions(
        self, info: Info, station_id: strawberry.ID | None = None,
        id_tag: str | None = None, active: bool | None = None,
        started_from: From = None, started_to: To = None,
        first: int = DEFAULT_FIRST, after: str | None = None,
    ) -> cx.TransactionConnection:  # fmt: skip
        page = await info.context.read(
            info.context.queries.list_transactions, first=bounded(first),
            after=cx.TransactionConnection.key(after), station_id=station_id,
            id_tag=id_tag, active=active, started_from=started_from,
            started_to=started_to,
        )  # fmt: skip
        return cx.TransactionConnection.of(page, after)

    @strawberry.field(description="Id tags in case-insensitive order.")
    async def id_tags(
        self, info: Info, first: int = DEFAULT_FIRST, after: str | None = None
    ) -> cx.IdTagConnection:
        page = await info.context.read(
            info.context.queries.list_id_tags, first=bounded(first),
            after=cx.IdTagConnection.key(after),
        )  # fmt: skip
        return cx.IdTagConnection.of(page, after)

    @strawberry.field(description="Operator calls to stations, newest first.")
    async def operations(
        self, info: Info, station_id: strawberry.ID | None = None,
        first: int = DEFAULT_FIRST, after: str | None = None,
    ) -> cx.OperationConnection:  # fmt: skip
        page = await info.context.read(
            info.context.queries.list_operations, first=bounded(first),
            after=cx.OperationConnection.key(after), station_id=station_id,
        )  # fmt: skip
        return cx.OperationConnection.of(page, after)

    @strawberry.field(description="One operator call, by the operationId a mutation "
                      "answered or an error carried.")  # fmt: skip
    async def operation(
        self, info: Info, operation_id: strawberry.ID
    ) -> OperationNode | None:
        row = await info.context.read(info.context.queries.get_operation, operation_id)
        return OperationNode.from_row(row) if row else None
