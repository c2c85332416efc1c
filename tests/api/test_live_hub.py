"""The live hub between the follower's thread and asyncio subscribers: fan-out by
station, at most once per notification, gaps filled, slow subscribers dropped."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from projections.live import LiveHub, SubscriberTooSlow, Subscription
from projections.live_events import ConnectorStatusChanged, LiveEvent

AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Note:
    """Stands in for an eventsourcing Notification: a position and a station."""

    id: int
    station: str = "CP-1"


class Translate:
    """A fake translator: every notification is a status change of its station."""

    def translate(self, note: Any) -> LiveEvent | None:
        return ConnectorStatusChanged(
            note.station, note.id, AT, 1, "Charging", "NoError", None, AT
        )


def from_follower(hub: LiveHub, notes: Sequence[Note]) -> None:
    """Publish as the follower does: from its own thread."""
    thread = threading.Thread(target=hub.publish, args=(notes,))
    thread.start()
    thread.join()


async def received(subscription: Subscription, count: int) -> list[int]:
    return [(await anext(subscription)).position for _ in range(count)]


async def test_events_reach_subscribers_of_their_station_once_in_order() -> None:
    hub = LiveHub(Translate())
    mine, everyone = hub.subscribe("CP-1"), hub.subscribe(None)
    from_follower(hub, [Note(1), Note(2, "CP-2"), Note(3)])
    # The follower retries a failed batch: what was published is not sent again.
    from_follower(hub, [Note(3), Note(4)])
    assert await received(mine, 3) == [1, 3, 4]
    assert await received(everyone, 4) == [1, 2, 3, 4]


async def test_a_stretch_another_node_applied_is_read_back_in_order() -> None:
    asked: list[tuple[int, int]] = []

    def backfill(start: int, stop: int) -> list[Any]:
        asked.append((start, stop))
        return [Note(i) for i in range(start, stop + 1)]

    hub = LiveHub(Translate(), backfill=backfill)
    subscription = hub.subscribe()
    from_follower(hub, [Note(1), Note(2)])
    from_follower(hub, [Note(5), Note(6)])
    assert asked == [(3, 4)]
    assert await received(subscription, 6) == [1, 2, 3, 4, 5, 6]


async def test_a_slow_subscriber_is_dropped_and_the_others_carry_on() -> None:
    hub = LiveHub(Translate(), queue_size=2)
    slow, fast = hub.subscribe(), hub.subscribe()
    from_follower(hub, [Note(1), Note(2)])
    assert await received(fast, 2) == [1, 2]
    # The slow one has read nothing: one more event overflows its queue.
    from_follower(hub, [Note(3)])
    assert await received(fast, 1) == [3]
    with pytest.raises(SubscriberTooSlow):
        await anext(slow)
    assert hub.subscriber_count == 1


async def test_leaving_unsubscribes_and_a_failing_batch_never_reaches_the_follower(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        def translate(self, note: Any) -> LiveEvent | None:
            raise ValueError("undecodable")

    hub = LiveHub(Broken())
    with hub.subscribe():
        from_follower(hub, [Note(1)])  # logged, not raised into the follower
    assert hub.subscriber_count == 0
    assert "live events lost" in caplog.text
