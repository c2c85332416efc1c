"""Relay cursor connections: opaque cursors over the queries' keyset pagination."""

from __future__ import annotations

import binascii
from base64 import urlsafe_b64decode, urlsafe_b64encode
from typing import TypeVar

import orjson
import strawberry

from api.graphql.context import ApiError

MAX_FIRST = 500  # bounds the work one list field can ask for
DEFAULT_FIRST = 50
K = TypeVar("K", str, int)


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, cursors: list[str], has_next: bool, after: str | None) -> PageInfo:
        return cls(
            has_next_page=has_next,
            has_previous_page=after is not None,  # Relay: may say so when cheap
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )


def bounded(first: int) -> int:
    if not 0 <= first <= MAX_FIRST:
        raise ApiError(f"first must be between 0 and {MAX_FIRST}")
    return first


def encode(kind: str, key: str | int) -> str:
    return urlsafe_b64encode(orjson.dumps([kind, key])).decode()


def decode(cursor: str | None, kind: str, key_type: type[K]) -> K | None:
    """The sort key inside a cursor of this list, or an error for any other text."""
    if cursor is None:
        return None
    try:
        found_kind, key = orjson.loads(urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise ApiError("invalid cursor") from None
    if found_kind != kind or type(key) is not key_type:
        raise ApiError("invalid cursor")
    return key
