"""Relay connections: one pair of types per list, so the schema reads StationEdge.

Each connection knows its cursor: `key()` opens one into the list's sort key, `of()`
builds the page with a cursor per edge.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry

from api.graphql.operation_types import OperationNode
from api.graphql.pagination import PageInfo, decode, encode
from api.graphql.types import (
    IdTagNode,
    StationNode,
    TransactionNode,
    UnknownStationNode,
)

if TYPE_CHECKING:
    from projections import rows
    from projections.operation_queries import OperationRow

R = TypeVar("R")


def _page(
    kind: str, page: rows.Page[R], after: str | None, edge: Callable[..., Any],
    node: Callable[[R], Any], key: Callable[[R], str | int],
) -> dict[str, Any]:  # fmt: skip
    edges = [edge(cursor=encode(kind, key(r)), node=node(r)) for r in page.items]
    cursors = [e.cursor for e in edges]
    return {"edges": edges, "page_info": PageInfo.of(cursors, page.has_next, after)}


@strawberry.type
class StationEdge:
    cursor: str
    node: StationNode


@strawberry.type
class StationConnection:
    edges: list[StationEdge]
    page_info: PageInfo

    @staticmethod
    def key(after: str | None) -> str | None:
        return decode(after, "station", str)

    @classmethod
    def of(
        cls, page: rows.Page[rows.StationRow], after: str | None
    ) -> StationConnection:
        return cls(**_page("station", page, after, StationEdge, StationNode.from_row,
                           attrgetter("id")))  # fmt: skip


@strawberry.type
class UnknownStationEdge:
    cursor: str
    node: UnknownStationNode


@strawberry.type
class UnknownStationConnection:
    edges: list[UnknownStationEdge]
    page_info: PageInfo

    @staticmethod
    def key(after: str | None) -> str | None:
        return decode(after, "unknown", str)

    @classmethod
    def of(
        cls, page: rows.Page[rows.UnknownStationRow], after: str | None
    ) -> UnknownStationConnection:
        return cls(**_page("unknown", page, after, UnknownStationEdge,
                           UnknownStationNode.from_row, attrgetter("id")))  # fmt: skip


@strawberry.type
class TransactionEdge:
    cursor: str
    node: TransactionNode


@strawberry.type
class TransactionConnection:
    edges: list[TransactionEdge]
    page_info: PageInfo

    @staticmethod
    def key(after: str | None) -> int | None:
        return decode(after, "transaction", int)

    @classmethod
    def of(
        cls, page: rows.Page[rows.TransactionRow], after: str | None
    ) -> TransactionConnection:
        key = attrgetter("transaction_id")
        return cls(**_page("transaction", page, after, TransactionEdge,
                           TransactionNode.from_row, key))  # fmt: skip


@strawberry.type
class IdTagEdge:
    cursor: str
    node: IdTagNode


@strawberry.type
class IdTagConnection:
    edges: list[IdTagEdge]
    page_info: PageInfo

    @staticmethod
    def key(after: str | None) -> str | None:
        return decode(after, "idTag", str)

    @classmethod
    def of(cls, page: rows.Page[rows.IdTagRow], after: str | None) -> IdTagConnection:
        # Tags sort case-insensitively (OCPP 1.6 IdToken), so the cursor does too.
        return cls(**_page("idTag", page, after, IdTagEdge, IdTagNode.from_row,
                           lambda r: r.id_tag.casefold()))  # fmt: skip


@strawberry.type
class OperationEdge:
    cursor: str
    node: OperationNode


@strawberry.type
class OperationConnection:
    edges: list[OperationEdge]
    page_info: PageInfo

    @staticmethod
    def key(after: str | None) -> int | None:
        return decode(after, "operation", int)

    @classmethod
    def of(
        cls, page: rows.Page[OperationRow], after: str | None
    ) -> OperationConnection:
        return cls(**_page("operation", page, after, OperationEdge,
                           OperationNode.from_row, attrgetter("position")))  # fmt: skip
