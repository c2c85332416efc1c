"""In-process follower: feeds new events to the projections, tracking each position.

eventsourcing's SQLite recorder cannot be subscribed to (ARCHITECTURE.md §7), so the
follower polls the notification log, and is woken after every local commit. Each batch
is applied to every projection, and their tracking rows move, in one transaction.
Events this process committed are handed over decoded; the rest, and a whole rebuild
(`catch_up`), are read and decoded in bulk by `EventLog`: the same projection code
applies both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from datetime import UTC, datetime
from collections.abc import Callable, Collection, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from projections.base import Events, Projection
from projections.database import Cursor, Database
from projections.decoding import with_text_id
from projections.event_log import ByTopic, EventLog, StoredRow

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification, Recording

    from domain.application import CentralSystem

log = logging.getLogger(__name__)

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_tracking "
    "(name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
)
SETUP_LOCK = 0x43484C47  # PostgreSQL advisory lock: nodes starting together, one DDL
MAX_BACKOFF = 30.0
OFFERED_MAX = 50_000  # events held for the next step; older ones are read back


class ProjectionFollower:
    """Keeps this process's read models up to date; `wait()` gives read-your-writes."""

    def __init__(
        self,
        central: CentralSystem,
        db: Database,
        projections: Sequence[Projection],
        poll_interval: float = 0.5,
        *,
        batch_size: int = 1000,
        on_notifications: Callable[[Sequence[Notification]], None] | None = None,
        coalesce: float = 0.0,
        observe_delay: Callable[[float], None] | None = None,
        on_advance: Callable[[dict[str, int]], None] | None = None,
        ids: Mapping[str, tuple[str, str]] | None = None,
    ) -> None:
        self._db = db
        self._log = EventLog(central, db)
        self._projections = sorted(projections, key=lambda p: p.tracking_name)
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        # Sees every stored event, also other nodes': the writer's cache listens here.
        self._on_notifications = on_notifications
        self._coalesce = coalesce
        self._observe_delay = observe_delay
        # Told every new set of positions (a writer process reports them to its server).
        self._on_advance = on_advance
        self._notified: int | None = None  # last event the hook saw
        self._offered: deque[tuple[int, Any, Any]] = deque(maxlen=OFFERED_MAX)
        self._topics = frozenset().union(*(p.topics for p in projections))
        # Topics read for some aggregates only (one share of a split rebuild, see
        # EventLog.read): the other shares build the rest.
        self._ids = ids
        self._positions: dict[str, int] = {}
        self._cond = threading.Condition()
        self._woken = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.last_error: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self.setup()
        self._thread = threading.Thread(
            target=self._run, name="projections", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def setup(self) -> None:
        """Create the tables (an empty database just works) and load the positions."""
        names = [p.tracking_name for p in self._projections]
        with self._db.transaction() as cur:
            if self._db.dialect == "postgresql":
                cur.execute("SELECT pg_advisory_xact_lock(?)", (SETUP_LOCK,))
            cur.execute(TRACKING_DDL)
            for projection in self._projections:
                projection.create_tables(cur)
            cur.executemany(
                "INSERT INTO projection_tracking (name, position) VALUES (?, 0) "
                "ON CONFLICT (name) DO NOTHING",
                [(name,) for name in names],
            )
            tracked = _tracked(cur, names, lock=False)
        self._advance(tracked)

    # -- read your writes ------------------------------------------------------------

    def notify(self) -> None:
        """Something was committed: look now rather than at the next poll."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def wait(self, notification_id: int | None, timeout: float) -> bool:
        """Block until every projection has applied `notification_id` (or timeout)."""
        if notification_id is None:
            return True
        with self._cond:
            return self._cond.wait_for(lambda: self._reached(notification_id), timeout)

    def positions(self) -> dict[str, int]:
        with self._cond:
            return dict(self._positions)

    def catch_up(
        self, until: int | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Apply everything stored so far (or up to `until`) in the calling thread
        (replay, verify, tests); not while the thread runs. Returns the position
        reached; `progress` is told the position after each batch."""
        if not self._positions:
            self.setup()
        while self._step(until):
            if progress is not None:
                progress(min(self._positions.values(), default=0))
        return min(self.positions().values(), default=0)

    # -- the loop --------------------------------------------------------------------

    def _run(self) -> None:
        backoff = self._poll_interval
        while True:
            with self._cond:
                if self._stopping:
                    return
                self._woken = False
            delay, started = self._poll_interval, time.monotonic()
            try:
                progressed = self._step()
                self.last_error, backoff = None, self._poll_interval
            except Exception as error:  # keep following: the database may come back
                log.exception("projection batch failed; retrying in %.1fs", backoff)
                self.last_error, progressed = error, False
                delay, backoff = backoff, min(backoff * 2, MAX_BACKOFF)
            with self._cond:
                if not progressed and not (self._woken or self._stopping):
                    self._cond.wait(delay)
                elif self._coalesce and not self._stopping:
                    # Under load, let a few commits gather: one larger batch costs
                    # the CSMS far less than many small ones (bounds the lag). A
                    # batch is started at most every `coalesce`, not `coalesce` after
                    # the last one ended: a slow batch (round trips on PostgreSQL)
                    # is not followed by a wait on top.
                    rest = self._coalesce - (time.monotonic() - started)
                    if rest > 0:
                        self._cond.wait_for(lambda: self._stopping, rest)

    def offer(self, recordings: Sequence[Recording[Any]]) -> None:
        """Events this process just committed, already decoded: the next step uses
        them instead of reading and decoding them back from the store (its main cost),
        when they continue exactly where the projections are."""
        with self._cond:
            self._offered.extend(
                (r.notification.id, r.notification, r.domain_event) for r in recordings
            )
            self._woken = True
            self._cond.notify_all()

    def _step(self, until: int | None = None) -> bool:
        start = min(self._positions.values(), default=0) + 1
        if until is not None and start > until:
            return False
        if self._notify_skipped(start):
            return True
        offered = self._take_offered(start, until)
        if offered:
            last = offered[-1][0]
            events = by_topic(offered, self._topics)
            notifications = [n for _, n, _ in offered]
        else:
            # A hook sees every event; otherwise only the projections' are read.
            wanted = None if self._on_notifications else self._topics
            rows = self._log.read(
                start, self._batch_size, stop=until, topics=wanted, ids=self._ids
            )
            if not rows:
                return False
            last = rows[-1][0]
            # Decode only what some projection reads: decoding dominates a rebuild.
            events = self._log.decode(rows, self._topics)
            notifications = self._hooked(rows)
        if self._on_notifications is not None:
            self._on_notifications(notifications)
            self._notified = last
        self._apply(events, start, last)
        return True

    def _hooked(self, rows: list[StoredRow]) -> list[Notification]:
        """Notifications for the hook only: a rebuild has none and skips the cost."""
        return self._log.notifications(rows) if self._on_notifications else []

    def _notify_skipped(self, start: int) -> bool:
        """Another node's follower applied a range for us (shared read models): the
        hook still sees every event, so caches here are dropped for those too."""
        if self._on_notifications is None or self._notified is None:
            self._notified = start - 1
            return False
        if self._notified >= start - 1:
            return False
        rows = self._log.read(self._notified + 1, self._batch_size, stop=start - 1)
        self._notified = rows[-1][0] if rows else start - 1
        if rows:
            self._on_notifications(self._log.notifications(rows))
        return True

    def _take_offered(self, start: int, until: int | None) -> list[Any]:
        """A run of offered events starting at `start` with no gap, else nothing (the
        store decides: ids may skip after a rolled-back insert, or another node's
        events may lie between)."""
        run: list[Any] = []
        with self._cond:
            while self._offered and self._offered[0][0] < start:
                self._offered.popleft()
            expected = start
            for item in self._offered:
                if item[0] != expected or len(run) >= self._batch_size:
                    break
                if until is not None and item[0] > until:
                    break
                run.append(item)
                expected += 1
        return run

    def _apply(self, events: ByTopic, first: int, last: int) -> None:
        names = [p.tracking_name for p in self._projections]
        # Not durable: after a crash, a lost batch is simply applied again from the log.
        with self._db.transaction(durable=False) as cur:
            # Row locks (PostgreSQL) make a second follower of the same database wait,
            # then skip what this one applied; SQLite's BEGIN IMMEDIATE already does.
            tracked = _tracked(cur, names, lock=self._db.dialect == "postgresql")
            moved: list[tuple[int, str]] = []
            for projection in self._projections:
                at = tracked[projection.tracking_name]
                # Already applied by another follower, or reset behind this window by
                # a rebuild (then the next step reads again from where it now is).
                if at >= last or at < first - 1:
                    continue
                mine = _in_order(events, projection.topics, at)
                if mine:
                    projection.apply(cur, mine)
                moved.append((last, projection.tracking_name))
                tracked[projection.tracking_name] = last
            # One statement for every position (one round trip on PostgreSQL).
            cur.executemany(
                "UPDATE projection_tracking SET position = ? WHERE name = ?", moved
            )
        self._advance(tracked)
        if self._observe_delay is not None and events:
            # Commit-to-read-model delay of the oldest event in the batch (its
            # timestamp is taken just before the writer's commit).
            oldest = min(e.timestamp for group in events.values() for _, e in group)
            self._observe_delay((datetime.now(UTC) - oldest).total_seconds())

    def _advance(self, tracked: dict[str, int]) -> None:
        with self._cond:
            self._positions.update(tracked)
            self._cond.notify_all()
            positions = dict(self._positions)
        if self._on_advance is not None:
            self._on_advance(positions)

    def _reached(self, notification_id: int) -> bool:
        return caught_up(self._positions, notification_id)


def caught_up(positions: dict[str, int], notification_id: int) -> bool:
    """Every read model has applied `notification_id` (read your writes)."""
    return bool(positions) and min(positions.values()) >= notification_id


def by_topic(
    offered: Sequence[tuple[int, Any, Any]], topics: Collection[str]
) -> ByTopic:
    """Offered (position, notification, event) as EventLog.decode groups them."""
    groups: ByTopic = {}
    for i, notification, event in offered:
        if notification.topic in topics:
            groups.setdefault(notification.topic, []).append((i, with_text_id(event)))
    return groups


def _in_order(events: ByTopic, topics: frozenset[str], after: int) -> Events:
    """A projection's events after position `after`, in log order: its topics' runs
    merged (sorting sorted runs is a C-speed merge; positions are unique)."""
    runs = [events[topic] for topic in topics.intersection(events)]
    if not runs:
        return []
    mine = runs[0] if len(runs) == 1 else sorted(chain.from_iterable(runs))
    return mine if mine[0][0] > after else [pair for pair in mine if pair[0] > after]


def _tracked(cur: Cursor, names: list[str], *, lock: bool) -> dict[str, int]:
    marks = ", ".join("?" * len(names))
    cur.execute(
        f"SELECT name, position FROM projection_tracking WHERE name IN ({marks}) "
        f"ORDER BY name{' FOR UPDATE' if lock else ''}",
        names,
    )
    return {row["name"]: int(row["position"]) for row in cur.fetchall()}


def forget(db: Database, projections: Sequence[Projection]) -> None:
    """Drop these views' tables and tracking rows (scratch rebuilds, old versions)."""
    with db.transaction() as cur:
        cur.execute(TRACKING_DDL)
        for projection in projections:
            projection.drop_tables(cur)
            cur.execute(
                "DELETE FROM projection_tracking WHERE name = ?",
                (projection.tracking_name,),
            )
