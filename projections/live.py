"""The live hub behind the GraphQL `stationEvents` subscription.

The follower hands every notification it reads to `LiveHub.publish`, in its own
thread. While someone listens, the hub translates the few topics a subscriber can
see (projections.live_events) and passes each subscriber its events with
`call_soon_threadsafe`. A subscriber's queue is bounded: one that falls behind is
dropped, so a slow client never holds up the follower (nor the read models).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from projections.database import Database
from projections.live_events import TOPICS, LiveEvent, LiveEvents, SqlLookup

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from domain.application import CentralSystem

log = logging.getLogger(__name__)
QUEUE_SIZE = 256  # events a subscriber may lag behind before it is dropped
MAX_BACKFILL = 10_000  # notifications read to fill one gap in what the follower saw
Backfill = Callable[[int, int], Sequence["Notification"]]


class Translator(Protocol):
    def translate(self, notification: Notification) -> LiveEvent | None: ...


class SubscriberTooSlow(Exception):
    """The subscriber's queue overflowed; it was dropped."""


class Subscription:
    """One subscriber: an async iterator of its events, on the loop that made it."""

    def __init__(self, hub: LiveHub, station_id: str | None, size: int) -> None:
        self.station_id = station_id
        self.loop = asyncio.get_running_loop()
        self._hub = hub
        self._queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(size)

    def wants(self, event: LiveEvent) -> bool:
        return self.station_id is None or event.station_id == self.station_id

    def offer(self, events: list[LiveEvent]) -> None:
        """On the subscriber's loop. On overflow it is dropped, and told so at once
        (what it had not read yet is discarded)."""
        for event in events:
            if self._queue.full():
                self.close()
                while not self._queue.empty():
                    self._queue.get_nowait()
                self._queue.put_nowait(None)
                return
            self._queue.put_nowait(event)

    def close(self) -> None:
        self._hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> LiveEvent:
        event = await self._queue.get()
        if event is None:
            raise SubscriberTooSlow("fell too far behind; events were dropped")
        return event


class LiveHub:
    """Fans the event log out to live subscribers; fed by the follower's thread."""

    def __init__(
        self,
        events: Translator,
        *,
        backfill: Backfill | None = None,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self._events, self._backfill = events, backfill
        self._queue_size = queue_size
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self._last = 0  # the last notification id published

    def subscribe(self, station_id: str | None = None) -> Subscription:
        """From a coroutine: events of one station (or all) from now on."""
        subscription = Subscription(self, station_id, self._queue_size)
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(
        self, notifications: Sequence[Notification], span: tuple[int, int] | None = None
    ) -> None:
        """The follower's hook: must never raise into it, nor wait for anyone.
        `span` (first, last): the stretch of the log these notifications were taken
        from, when only some of it is passed on (a writer process forwards only the
        topics that matter here)."""
        try:
            self._publish(notifications, span)
        except Exception:
            log.exception("live events lost after notification %s", self._last)

    def _publish(
        self, notifications: Sequence[Notification], span: tuple[int, int] | None
    ) -> None:
        # A batch the follower retries comes again: only what is new counts.
        fresh = [n for n in notifications if n.id > self._last]
        if span is None:
            if not fresh:
                return
            span = (fresh[0].id, fresh[-1].id)
        if span[1] <= self._last:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        if subscribers:
            translated = map(self._events.translate, self._missed(span[0]) + fresh)
            events = [e for e in translated if e is not None]
            for subscription in subscribers:
                mine = [e for e in events if subscription.wants(e)]
                self._deliver(subscription, mine)
        self._last = span[1]

    def _missed(self, first: int) -> list[Notification]:
        # With several nodes, another node's follower may apply a stretch of the log
        # that this node's follower then skips: read that stretch here.
        if self._backfill is None or not 0 < self._last < first - 1:
            return []
        return list(
            self._backfill(max(self._last + 1, first - MAX_BACKFILL), first - 1)
        )

    def _deliver(self, subscription: Subscription, events: list[LiveEvent]) -> None:
        if not events:
            return
        try:
            subscription.loop.call_soon_threadsafe(subscription.offer, events)
        except RuntimeError:  # its loop is closed: nobody is listening any more
            self.unsubscribe(subscription)


def live_hub(central: CentralSystem, db: Database) -> LiveHub:
    """A node's hub: decodes with the application's mapper, names from the views."""

    def backfill(start: int, stop: int) -> Sequence[Notification]:
        return central.recorder.select_notifications(
            start, stop - start + 1, stop=stop, topics=sorted(TOPICS)
        )

    events = LiveEvents(central.mapper.to_domain_event, SqlLookup(db))
    return LiveHub(events, backfill=backfill)
