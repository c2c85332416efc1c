"""The projections' decoder gives the events eventsourcing's mapper gives, faster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from domain.application import CentralSystem
from projections.decoding import EventDecoder
from projections.event_log import EventLog
from tests.ledger import Ledger
from tests.projections.test_replay import scenario


class Sample(Aggregate):
    class Noted(Aggregate.Event):
        payload: Any

    class Revised(Aggregate.Event):
        class_version = 2
        payload: Any
        extra: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["extra"] = 0


def as_text(event: Any) -> dict[str, Any]:
    """The event's state with its originator id as text, as the decoder keeps it."""
    return {**vars(event), "originator_id": str(event.originator_id)}


def test_every_stored_event_decodes_as_the_mapper_decodes_it(ledger: Ledger) -> None:
    # A scenario touching every view runs; its events are read back both ways.
    scenario(ledger)
    log = EventLog(ledger.central, ledger.db)
    rows = log.read(1, 10_000)
    decoded = log.decode(rows, {topic for _, _, _, topic, _ in rows})
    fast = dict(pair for group in decoded.values() for pair in group)
    mapper = ledger.central.mapper
    for notification in log.notifications(rows):
        slow = mapper.to_domain_event(notification)
        assert type(fast[notification.id]) is type(slow)
        assert vars(fast[notification.id]) == as_text(slow)
    assert len(fast) == len(rows) == ledger.central.recorder.max_notification_id()


@pytest.fixture
def mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()  # as the application registers its transcodings
    CentralSystem.register_transcodings(object.__new__(CentralSystem), transcoder)
    return Mapper(transcoder)


def stored(mapper: Mapper[UUID], payload: Any) -> StoredEvent:
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    event = Sample.Noted(
        originator_id=uuid4(), originator_version=2, timestamp=at, payload=payload
    )
    return mapper.to_stored_event(event)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {"at": datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))},
        [{"nested": [uuid4(), Decimal("1.50")]}, "_type_", {"_data_": "x"}],
        {"_type_": "not a marker", "_data_": "three keys", "x": 1},
        float("nan"),  # stdlib json writes NaN, orjson cannot read it
        2**70,  # beyond orjson's integers (it would read a float)
        -(10**19 - 1),  # 19 digits, below int64
    ],
)
def test_markers_anywhere_and_odd_values_decode_as_the_mapper_decodes_them(
    mapper: Mapper[UUID], payload: Any
) -> None:
    event = stored(mapper, payload)
    decoder = EventDecoder(mapper)
    for _ in range(2):  # the second time with what the first taught it
        fast = decoder.decode(
            event.topic, event.state, str(event.originator_id), 2
        )
        slow = mapper.to_domain_event(event)
        assert type(fast) is Sample.Noted
        assert repr(as_text(fast)) == repr(as_text(slow))  # repr: NaN != NaN


def test_an_older_class_version_is_upcast(mapper: Mapper[UUID]) -> None:
    # Stored before Revised had `extra`: no class_version in the state.
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    state = mapper.transcoder.encode({"timestamp": at, "payload": 1})
    topic = f"{__name__}:Sample.Revised"
    event = EventDecoder(mapper).decode(topic, state, str(uuid4()), 3)
    assert (event.payload, event.extra, event.timestamp) == (1, 0, at)
