# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=…) is typed as returning Any.)
"""Mutations for the data the station side needs: registrations and id tags.

Each builds a command, submits it to the one writer, and waits (bounded) for the read
models, so the payload shows the write; `pending` says it did not appear in time.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import strawberry

from api.graphql import enums as e
from api.graphql import types as t
from api.graphql.context import ApiError, Context
from domain import commands
from domain.credentials import hash_password
from domain.timestamps import iso_utc

Info = strawberry.Info[Context, None]


@strawberry.type
class RegisterStationPayload:
    station: t.StationNode | None
    pending: bool = strawberry.field(description="The views had not caught up yet.")


@strawberry.type
class UpsertIdTagPayload:
    id_tag: t.IdTagNode | None
    pending: bool = strawberry.field(description="The views had not caught up yet.")


@strawberry.type
class StationMutations:
    @strawberry.mutation(
        description="Register a station; with a password it must log "
        "in with HTTP Basic auth (security profile 1). Registering "
        "again replaces the password."
    )
    async def register_station(
        self,
        info: Info,
        station_id: Annotated[strawberry.ID, strawberry.argument(name="id")],
        password: str | None = None,
    ) -> RegisterStationPayload:
        password_hash = await _hash(password) if password is not None else None
        command = commands.RegisterStation(_station_id(station_id), password_hash)
        pending = not await info.context.execute(command)
        row = await info.context.read(info.context.queries.get_station, station_id)
        return RegisterStationPayload(
            station=t.StationNode.from_row(row) if row else None, pending=pending
        )

    @strawberry.mutation(description="Create or replace an id tag (every field).")
    async def upsert_id_tag(
        self,
        info: Info,
        id_tag: str,
        status: e.AuthorizationStatus,
        expiry_date: datetime | None = None,
        parent_id_tag: str | None = None,
        max_active_transactions: int | None = None,
    ) -> UpsertIdTagPayload:
        command = commands.UpsertIdTag(
            _id_token(id_tag),
            status.value,
            iso_utc(expiry_date) if expiry_date else None,
            _id_token(parent_id_tag) if parent_id_tag else None,
            _at_least_one(
                1 if max_active_transactions is None else max_active_transactions
            ),
        )
        pending = not await info.context.execute(command)
        row = await info.context.read(info.context.queries.get_id_tag, id_tag)
        return UpsertIdTagPayload(
            id_tag=t.IdTagNode.from_row(row) if row else None, pending=pending
        )


async def _hash(password: str) -> str:
    try:  # scrypt is slow on purpose: keep it off the event loop
        return await asyncio.to_thread(hash_password, password)
    except ValueError as invalid:
        raise ApiError(str(invalid)) from None


def _station_id(value: str) -> str:
    if not 0 < len(value) <= 255 or value != value.strip():
        raise ApiError("id must be 1 to 255 characters without surrounding spaces")
    return value


def _id_token(value: str) -> str:
    # OCPP 1.6 §7.28: IdToken is a CiString20Type.
    if not 0 < len(value) <= 20:
        raise ApiError(f"id tag {value!r} must be 1 to 20 characters")
    return value


def _at_least_one(value: int) -> int:
    if value < 1:
        raise ApiError("maxActiveTransactions must be at least 1")
    return value
