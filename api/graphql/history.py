# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=…) is typed as returning Any.)
"""The audit questions over the API: the event log (`events`) and a station as it
was at a point in time (`stationAt`), answered from the same records as the CLI."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import strawberry

from api.graphql import enums as e
from api.graphql.context import ApiError
from api.graphql.pagination import DEFAULT_FIRST, PageInfo, bounded, decode, encode
from api.graphql.queries import From, Id, Info, To
from domain.timestamps import parse_iso
from projections.history import EventFilter, Record, UnknownEventType, event_types
from projections.rows import Page

MICROSECOND = timedelta(microseconds=1)
EVENTS = (
    "Stored events, oldest first (log order). Filters combine; `types` takes full "
    "(Station.ConnectorStatusChanged) or short (ConnectorStatusChanged) names, null "
    "or [] for all; `from` (inclusive) and `to` (exclusive) bound recordedAt."
)
STATION_AT = (
    "The station as it was at `at` (time travel): every event recorded up to then "
    "applied, `at` given to the millisecond taking all of it in; null if it did not "
    "exist yet."
)


def _time(text: str) -> datetime:
    parsed = parse_iso(text)
    if parsed is None:  # never: the records' times come from projections.base.utc_text
        raise ValueError(f"not a time: {text!r}")
    return parsed


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


@strawberry.type(description="One stored event, as `chargeledger events` prints it.")
class EventNode:
    position: int = strawberry.field(description="Its place in the global log.")
    recorded_at: datetime = strawberry.field(description="To the millisecond.")
    type: str = strawberry.field(description="e.g. Station.ConnectorStatusChanged.")
    aggregate_kind: str = strawberry.field(description="station, transaction, …")
    aggregate_id: strawberry.ID
    version: int = strawberry.field(description="Its place in its aggregate's history.")
    station_id: strawberry.ID | None
    transaction_id: int | None
    data: str = strawberry.field(
        description="The event's fields as a JSON object (password hashes redacted)."
    )

    @classmethod
    def from_record(cls, record: Record) -> EventNode:
        return cls(
            position=record["position"],
            recorded_at=_time(record["recordedAt"]),
            type=record["type"],
            aggregate_kind=record["aggregate"]["kind"],
            aggregate_id=strawberry.ID(record["aggregate"]["id"]),
            version=record["version"],
            station_id=record.get("stationId"),
            transaction_id=record.get("transactionId"),
            data=_json(record["data"]),
        )


@strawberry.type
class EventEdge:
    cursor: str
    node: EventNode


@strawberry.type
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo

    @staticmethod
    def key(after: str | None) -> int:
        return decode(after, "event", int) or 0

    @classmethod
    def of(cls, page: Page[Record], after: str | None) -> EventConnection:
        edges = [
            EventEdge(
                cursor=encode("event", r["position"]), node=EventNode.from_record(r)
            )
            for r in page.items
        ]
        cursors = [edge.cursor for edge in edges]
        return cls(edges=edges, page_info=PageInfo.of(cursors, page.has_next, after))


@strawberry.type(description="A connector as the station had last reported it then.")
class ConnectorSnapshot:
    connector_id: int
    status: e.ChargePointStatus
    error_code: e.ChargePointErrorCode
    timestamp: datetime = strawberry.field(description="The station's own timestamp.")

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ConnectorSnapshot:
        return cls(
            connector_id=state["connector_id"],
            status=e.ChargePointStatus(state["status"]),
            error_code=e.ChargePointErrorCode(state["error_code"]),
            timestamp=_time(state["timestamp"]),
        )


@strawberry.type(description="A station rebuilt from its events up to a point in time.")
class StationSnapshot:
    id: strawberry.ID
    version: int = strawberry.field(description="How many of its events it had then.")
    recorded_at: datetime = strawberry.field(
        description="When the last of those events was recorded."
    )
    registered: bool = strawberry.field(description="Registered by an operator.")
    registration_status: e.RegistrationStatus | None
    connectors: list[ConnectorSnapshot]
    state: str = strawberry.field(
        description="All of the rebuilt state as a JSON object (`chargeledger state`)."
    )

    @classmethod
    def from_record(cls, record: Record) -> StationSnapshot:
        state = record["state"]
        status = state["registration_status"]
        return cls(
            id=strawberry.ID(record["stationId"]),
            version=record["version"],
            recorded_at=_time(record["recordedAt"]),
            registered=state["registered"],
            registration_status=e.RegistrationStatus(status) if status else None,
            connectors=[ConnectorSnapshot.from_state(c) for c in state["connectors"]],
            state=_json(state),
        )


def event_filter(
    station_id: str | None, transaction_id: int | None, types: list[str] | None,
    since: datetime | None, before: datetime | None, after: str | None,
) -> EventFilter:  # fmt: skip
    try:
        full_names = event_types(types or ())
    except UnknownEventType as unknown:
        raise ApiError(str(unknown)) from None
    return EventFilter(
        station=station_id, transaction=transaction_id, types=full_names, since=since,
        until=before - MICROSECOND if before else None,  # `to` excluded: times are µs
        after=EventConnection.key(after),
    )  # fmt: skip


def through_millisecond(at: datetime) -> datetime:
    """DateTime answers to the millisecond, so a time given to the millisecond means
    all of it: an event listed as recorded at 10:00:00.123Z is in the state then."""
    return at if at.microsecond % 1000 else at + 999 * MICROSECOND


@strawberry.type
class HistoryQuery:
    @strawberry.field(description=EVENTS)
    async def events(
        self, info: Info, station_id: strawberry.ID | None = None,
        transaction_id: int | None = None, types: list[str] | None = None,
        since: From = None, until: To = None,
        first: int = DEFAULT_FIRST, after: str | None = None,
    ) -> EventConnection:  # fmt: skip
        flt = event_filter(station_id, transaction_id, types, since, until, after)
        page = await info.context.read(
            info.context.history.events, flt, first=bounded(first)
        )
        return EventConnection.of(page, after)

    @strawberry.field(description=STATION_AT)
    async def station_at(
        self, info: Info, station_id: Id, at: datetime
    ) -> StationSnapshot | None:
        record = await info.context.read(
            info.context.history.station_at, station_id, through_millisecond(at)
        )
        return StationSnapshot.from_record(record) if record else None
