"""The read models in a process of their own: the projection follower.

With the projections in the writer's process, they took a quarter of its GIL: every
commit's statements waited for it (docs/performance.md, fourth pass). Here they follow
the log from the store like another node's would, and tell the server process where
they are (read your writes, /readyz), what the live subscriptions and the caches need
to see, and how far behind they run. A projection process that dies is started again;
meanwhile /readyz says why.

Messages (see ops.child_process for the pipe):

    server → projections   ("wake",)   something was committed: look now
    projections → server   ("stored", first, last, [notifications], [(id, version)])
                              what the follower saw, every node's: the notifications
                              live events and Authorize read; every event's version
                              for the writer's cache
                           ("positions", {projection: position} | None, error | None)
                           ("delay", seconds)   commit to read model
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING
from uuid import UUID

from adapters.storage.eventstore import eventsourcing_env
from domain.application import AUTHORIZATION_TOPICS, CentralSystem
from ops.child_process import (
    ChildProcess,
    Message,
    Outbox,
    describe,
    child_outbox,
    receive,
)
from projections.catalog import build_projections
from projections.database import open_database
from projections.follower import ProjectionFollower, caught_up
from projections.live_events import TOPICS as LIVE_TOPICS

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from ops.settings import Settings

log = logging.getLogger(__name__)
FORWARDED_TOPICS = LIVE_TOPICS | AUTHORIZATION_TOPICS
RESTART_DELAY = 1.0  # seconds before a projection process that died is started again
# The read models may lag (≤ 200 ms at half of capacity is the target), answers to
# stations may not: when the cores are short, the scheduler serves the writer and the
# event loop first. At 2,050 msgs/s the writer's p99 fell from 43-45 to 15-34 ms
# (docs/performance.md, fifth pass). Added to the server's own niceness.
NICENESS = 10
Versions = list[tuple[UUID, int]]


@dataclass
class ProjectionHooks:
    """What the server process does with the projections' reports."""

    on_delay: Callable[[float], None] | None = None
    # (first, last, notifications among them that live events or Authorize read,
    #  every event's (aggregate id, version))
    on_stored: Callable[[int, int, list[Notification], Versions], None] | None = None


class ReadModelPositions:
    """The projections' positions as their process reports them: read your writes
    (`wait`) and readiness for the server process."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._positions: dict[str, int] = {}
        self.last_error: str | None = None

    def update(self, positions: dict[str, int] | None, error: str | None) -> None:
        with self._cond:
            if positions is not None:
                self._positions = positions
            self.last_error = error
            self._cond.notify_all()

    def positions(self) -> dict[str, int]:
        with self._cond:
            return dict(self._positions)

    def wait(self, notification_id: int | None, timeout: float) -> bool:
        if notification_id is None:
            return True
        with self._cond:
            return self._cond.wait_for(lambda: self._reached(notification_id), timeout)

    def wait_unready(self, timeout: float) -> bool:
        """Block until an error is reported (or timeout)."""
        with self._cond:
            return self._cond.wait_for(lambda: self.last_error is not None, timeout)

    def _reached(self, notification_id: int) -> bool:
        return caught_up(self._positions, notification_id)


class ProjectionProcess(ReadModelPositions):
    """The follower's interface (wait, positions, last_error), served by a child
    process that is started again if it dies."""

    def __init__(self, settings: Settings, hooks: ProjectionHooks | None = None) -> None:
        super().__init__()
        self._settings = settings
        self._hooks = hooks or ProjectionHooks()
        self._child: ChildProcess | None = None
        self._stopping = threading.Event()
        self.restart_delay = RESTART_DELAY

    @property
    def process(self) -> object:
        return self._child.process if self._child else None

    def start(self) -> None:
        child = ChildProcess("projections", run_projections, self._settings,
                             on_messages=self._dispatch, on_gone=self._gone)  # fmt: skip
        self._child = child
        child.start()

    def stop(self, timeout: float = 0) -> None:
        self._stopping.set()
        if self._child is not None:
            self._child.stop()
        self.update(None, self.last_error)  # wake whoever waits: no more will come

    def wake(self) -> None:
        """Something was committed (the writer said so): look now, not at the poll."""
        child = self._child
        if child is not None and child.stopped is None:
            child.send([("wake",)])

    def _dispatch(self, messages: list[Message]) -> None:
        hooks = self._hooks
        for message in messages:
            kind = message[0]
            if kind == "positions":
                self.update(message[1], message[2])
            elif kind == "stored" and hooks.on_stored is not None:
                hooks.on_stored(message[1], message[2], message[3], message[4])
            elif kind == "delay" and hooks.on_delay is not None:
                hooks.on_delay(message[1])

    def _gone(self, reason: str) -> None:
        self.update(None, reason)  # /readyz: not ready until it reports again
        if self._stopping.is_set():
            return
        log.error("%s; starting it again in %ss", reason, self.restart_delay)
        threading.Thread(target=self._restart, name="projections-restart",
                         daemon=True).start()  # fmt: skip

    def _restart(self) -> None:
        if self._stopping.wait(self.restart_delay):
            return
        try:
            self.start()
        except Exception as error:  # keeps trying: the store may come back
            self._gone(f"could not start the projection process: {describe(error)}")


# -- the child -------------------------------------------------------------------------


def run_projections(settings: Settings, conn: Connection) -> None:
    """The child's main: follow the log into the read models until the server says
    stop or its end of the pipe closes."""
    from ops.interpreter import tune_interpreter
    from ops.store import PROJECTION_COALESCE

    outbox = child_outbox(settings, conn)
    os.nice(NICENESS)
    try:
        db = open_database(settings.database)
        # Reads the log only; the writer process created the tables.
        central = CentralSystem(eventsourcing_env(settings.database, create_table=False))
        follower = ProjectionFollower(
            central, db, build_projections(), on_notifications=_stored_reporter(outbox),
            coalesce=PROJECTION_COALESCE, on_advance=outbox.positions,
            observe_delay=lambda seconds: outbox.put(("delay", seconds)),
        )  # fmt: skip
        outbox.error = lambda: describe(follower.last_error)
        follower.start()
    except Exception as error:
        log.exception("the projection process could not open the store")
        outbox.put(("failed", f"could not open the store: {error}"))
        outbox.close()
        return
    tune_interpreter()
    outbox.put(("ready",))
    try:
        while (batch := receive(conn)) is not None:
            if any(message[0] == "wake" for message in batch):
                follower.notify()
    finally:
        follower.stop()
        outbox.close()
        central.close()
        db.close()
        conn.close()


def _stored_reporter(outbox: Outbox) -> Callable[[Sequence[Notification]], None]:
    def stored(notifications: Sequence[Notification]) -> None:
        if notifications:
            wanted = [n for n in notifications if n.topic in FORWARDED_TOPICS]
            versions = [(n.originator_id, n.originator_version) for n in notifications]
            outbox.put(("stored", notifications[0].id, notifications[-1].id, wanted,
                        versions))  # fmt: skip

    return stored
