"""The write side in a process of its own: the group-commit writer and the projections.

In one interpreter the event loop, the writer and the projection follower shared one
GIL. At half of capacity it was busy ~85 % of the time, and every answer queued
behind the other threads' turns (profile in docs/performance.md, third pass). Here
the child process owns every write (CommandWriter, ack after commit as before) and
the projections; the server process keeps the WebSockets, GraphQL and a read-only
CentralSystem for what it answers itself (access checks, Authorize read copies,
stored history). Two interpreters, two cores.

One pipe each way carries pickled lists of messages, one send per loop turn:

    server → writer   ("command", seq, command, journal rows)
                      ("rows", seq | None, journal rows, presence rows)
    writer → server   ("done", seq, Handled | exception)    after the commit
                      ("forget", [tag ids])   Authorize answers changed (at commit)
                      ("stored", first, last, [notifications])  what the follower saw,
                                              every node's: live events, invalidation
                      ("positions", {projection: position}, error | None)
                      ("commit", BatchStats), ("delay", seconds), ("ready",)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.application import AUTHORIZATION_EVENTS, AUTHORIZATION_TOPICS, CentralSystem
from domain.results import Handled
from domain.writer import BatchStats, CommandWriter, settle
from projections.catalog import build_projections
from projections.database import open_database
from projections.follower import ProjectionFollower, caught_up
from projections.live_events import TOPICS as LIVE_TOPICS

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification, Recording

    from domain.commands import Command
    from ops.settings import Settings

log = logging.getLogger(__name__)
FORWARDED_TOPICS = LIVE_TOPICS | AUTHORIZATION_TOPICS
START_TIMEOUT = 120.0  # seconds for the child to import, open the store and set up
STOP_TIMEOUT = 30.0
REPORT_INTERVAL = 1.0  # seconds: the child reports a projection error at least this often
Message = tuple[Any, ...]
JournalRows = list[tuple[Any, ...]]


class WriterStopped(RuntimeError):
    """The writer process is gone: nothing more can be committed by this node."""


@dataclass
class ServerHooks:
    """What the server process does with the writer's reports."""

    on_commit: Callable[[BatchStats], None] | None = None
    on_delay: Callable[[float], None] | None = None
    # (first, last, notifications among them that live events or Authorize read)
    on_stored: Callable[[int, int, list[Notification]], None] | None = None
    on_forget: Callable[[list[UUID]], None] | None = None


class ReadModelPositions:
    """The projections' positions as the writer process reports them: read your
    writes (`wait`) and readiness for the server process."""

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

    def _reached(self, notification_id: int) -> bool:
        return caught_up(self._positions, notification_id)

    def start(self) -> None:
        """Nothing to run here: the writer process follows the log."""

    def stop(self, timeout: float = 0) -> None:
        with self._cond:
            self._cond.notify_all()


class WriterProcess:
    """CommandWriter's interface, served by a child process (see the module doc)."""

    def __init__(
        self, settings: Settings, central: CentralSystem, positions: ReadModelPositions,
        hooks: ServerHooks | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.central = central  # read-only here: stored events, access checks
        self._positions = positions
        self._hooks = hooks or ServerHooks()
        self._lock = threading.Lock()  # the buffer and the pipe, in order
        self._buffer: list[Message] = []
        self._pending: dict[int, tuple[Any, asyncio.AbstractEventLoop | None]] = {}
        self._seq = 0
        self._ready = threading.Event()
        self.stopped: str | None = None  # why no more can be committed
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe()
        self._child_end: Connection | None = child_end
        self._process = context.Process(
            target=run_writer, args=(settings, child_end), name="chargeledger-writer",
            daemon=True,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, name="writer-replies",
                                        daemon=True)  # fmt: skip

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        self._process.start()
        if self._child_end is not None:
            self._child_end.close()  # ours closes when the child exits: EOF, not a hang
            self._child_end = None
        self._reader.start()
        if not self._ready.wait(START_TIMEOUT) or self.stopped:
            self._process.kill()
            raise WriterStopped(self.stopped or "the writer process did not start")

    def stop(self) -> None:
        if self._process.pid is None:
            return
        with self._lock:
            self._flush_locked()
            with contextlib.suppress(OSError):  # the child may be gone already
                self._conn.send(None)  # the child commits what it holds, then exits
        self._process.join(STOP_TIMEOUT)
        if self._process.is_alive():
            log.error("the writer process did not stop in %ss; killing it", STOP_TIMEOUT)
            self._process.kill()
            self._process.join()
        self._reader.join(STOP_TIMEOUT)
        self._conn.close()

    # -- CommandWriter's interface -----------------------------------------------------

    def submit(self, command: Command, journal: JournalRows | None = None) -> Future[Handled]:
        future: Future[Handled] = Future()
        self._put(future, None, lambda seq: ("command", seq, command, journal or []))
        return future

    def submit_async(
        self, command: Command, journal: JournalRows | None = None
    ) -> asyncio.Future[Handled]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Handled] = loop.create_future()
        self._put(future, loop, lambda seq: ("command", seq, command, journal or []))
        return future

    def record(
        self, journal: JournalRows | None = None, presence: JournalRows | None = None
    ) -> None:
        self._put(None, None, lambda _: ("rows", None, journal or [], presence or []))

    def record_async(
        self, journal: JournalRows, presence: JournalRows
    ) -> asyncio.Future[Handled]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Handled] = loop.create_future()
        self._put(future, loop, lambda seq: ("rows", seq, journal, presence))
        return future

    # -- sending -----------------------------------------------------------------------

    def _put(
        self, future: Any, loop: asyncio.AbstractEventLoop | None,
        message: Callable[[int | None], Message],
    ) -> None:  # fmt: skip
        with self._lock:
            if self.stopped is not None:
                _fail(future, loop, WriterStopped(self.stopped))
                return
            seq = None
            if future is not None:
                self._seq += 1
                seq = self._seq
                self._pending[seq] = (future, loop)
            self._buffer.append(message(seq))
            if len(self._buffer) > 1:
                return  # a flush is already on its way
        try:
            # From the loop: everything put in this turn goes in one send.
            asyncio.get_running_loop().call_soon(self._flush)
        except RuntimeError:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._buffer or self.stopped is not None:
            return
        batch, self._buffer = self._buffer, []
        try:
            self._conn.send(batch)
        except (OSError, ValueError) as error:  # the child is gone; the reader says why
            log.error("could not reach the writer process: %s", error)

    # -- replies -----------------------------------------------------------------------

    def _read(self) -> None:
        try:
            while True:
                messages = self._conn.recv()
                self._dispatch(messages)
        except (EOFError, OSError):
            pass
        except Exception:
            log.exception("reading the writer process's replies failed")
        self._gone()

    def _dispatch(self, messages: list[Message]) -> None:
        by_loop: dict[Any, list[tuple[Any, Any]]] = {}
        for message in messages:
            kind = message[0]
            if kind == "done":  # (dict pops are atomic: no lock against the sender)
                future, loop = self._pending.pop(message[1], (None, None))
                if future is not None:
                    by_loop.setdefault(loop, []).append((future, message[2]))
            else:
                self._report(message)
        for loop, pairs in by_loop.items():
            if loop is None:
                settle(pairs)
            else:
                _call_soon(loop, settle, pairs)

    def _report(self, message: Message) -> None:
        kind, hooks = message[0], self._hooks
        if kind == "positions":
            self._positions.update(message[1], message[2])
        elif kind == "stored" and hooks.on_stored is not None:
            hooks.on_stored(message[1], message[2], message[3])
        elif kind == "forget" and hooks.on_forget is not None:
            hooks.on_forget(message[1])
        elif kind == "commit" and hooks.on_commit is not None:
            hooks.on_commit(message[1])
        elif kind == "delay" and hooks.on_delay is not None:
            hooks.on_delay(message[1])
        elif kind == "ready":
            self._ready.set()
        elif kind == "failed":
            self.stopped = message[1]
            self._ready.set()

    def _gone(self) -> None:
        """The child exited (stopped, crashed or killed): whoever still waits is told."""
        with self._lock:
            self.stopped = self.stopped or "the writer process stopped"
            pending, self._pending = self._pending, {}
        self._process.join(5)  # its pipe closed as it exited: reap it for the exit code
        if self._ready.is_set() and self._process.exitcode not in (0, None):
            log.critical("the writer process exited with %s; this node cannot commit",
                         self._process.exitcode)  # fmt: skip
        self._ready.set()
        error = WriterStopped(self.stopped)
        for future, loop in pending.values():
            if loop is None:
                _fail(future, None, error)
            else:
                _call_soon(loop, _fail, future, loop, error)


def _fail(future: Any, loop: Any, error: BaseException) -> None:
    if future is not None and not future.done():
        future.set_exception(error)


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Any, *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
        loop.call_soon_threadsafe(callback, *args)


# -- the child -------------------------------------------------------------------------


class Outbox:
    """The child's replies: gathered from the writer's and the follower's threads,
    sent by one thread, a list per wake-up."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._cond = threading.Condition()
        self._messages: list[Message] = []
        self._positions: dict[str, int] | None = None
        self._closing = False
        self.error: Callable[[], str | None] = lambda: None
        self._thread = threading.Thread(target=self._run, name="replies", daemon=True)
        self._thread.start()

    def put(self, message: Message) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify()

    def done(self, seq: int, future: Future[Handled]) -> None:
        error = future.exception()
        self.put(("done", seq, error if error is not None else future.result()))

    def positions(self, positions: dict[str, int]) -> None:
        with self._cond:
            self._positions = dict(positions)
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join(STOP_TIMEOUT)

    def _run(self) -> None:
        reported: str | None = None
        while True:
            with self._cond:
                if not (self._messages or self._positions is not None or self._closing):
                    self._cond.wait(REPORT_INTERVAL)
                messages, self._messages = self._messages, []
                positions, self._positions = self._positions, None
                closing = self._closing
            # A projection error is reported even when no position moves (readyz).
            error = self.error()
            if positions is not None or error != reported:
                messages.append(("positions", positions, error))
                reported = error
            if messages:
                self._send(messages)
            if closing:
                return

    def _send(self, messages: list[Message]) -> None:
        try:
            self._conn.send(messages)
        except (pickle.PicklingError, TypeError, AttributeError):
            # An outcome that does not pickle (an unexpected exception): say what it was.
            self._conn.send([_portable(m) for m in messages])
        except OSError:
            pass  # the server is gone; the child stops on its side of the pipe


def _portable(message: Message) -> Message:
    if message[0] == "done" and isinstance(message[2], BaseException):
        try:
            pickle.dumps(message[2])
        except Exception:
            error = message[2]
            return ("done", message[1], RuntimeError(f"{type(error).__name__}: {error}"))
    return message


def run_writer(settings: Settings, conn: Connection) -> None:
    """The child's main: the write side of `serve`, until the server says stop or
    its end of the pipe closes (the server died: nobody is waiting for answers)."""
    # Ctrl-C, or a SIGTERM sent to the whole process group (systemd's default), is
    # the server's to act on: it shuts down, commits its last rows through this
    # process, then closes the pipe. Stopping here first would lose those rows.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from ops.interpreter import tune_interpreter
    from ops.store import PROJECTION_COALESCE, open_central

    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")  # fmt: skip
    outbox = Outbox(conn)
    try:
        db = open_database(settings.database)
        central = open_central(settings, db)
    except Exception as error:
        log.exception("the writer process could not open the store")
        outbox.put(("failed", f"could not open the store: {error}"))
        outbox.close()
        return

    def stored(notifications: Sequence[Notification]) -> None:
        central.invalidate(notifications)
        if notifications:
            wanted = [n for n in notifications if n.topic in FORWARDED_TOPICS]
            outbox.put(("stored", notifications[0].id, notifications[-1].id, wanted))

    follower = ProjectionFollower(
        central, db, build_projections(), on_notifications=stored,
        coalesce=PROJECTION_COALESCE, on_advance=outbox.positions,
        observe_delay=lambda seconds: outbox.put(("delay", seconds)),
    )  # fmt: skip
    outbox.error = lambda: _describe(follower.last_error)

    def recorded(recordings: list[Recording[UUID]]) -> None:
        follower.offer(recordings)
        tags = [r.domain_event.originator_id for r in recordings
                if isinstance(r.domain_event, AUTHORIZATION_EVENTS)]  # fmt: skip
        if tags:
            outbox.put(("forget", tags))

    central.on_recorded = recorded
    writer = CommandWriter(central, on_commit=lambda stats: outbox.put(("commit", stats)))
    follower.start()
    writer.start()
    tune_interpreter()
    outbox.put(("ready",))
    try:
        _serve(conn, writer, outbox)
    finally:
        writer.stop()
        follower.stop()
        outbox.close()
        central.close()
        db.close()
        conn.close()


def _serve(conn: Connection, writer: CommandWriter, outbox: Outbox) -> None:
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            log.warning("the server process is gone; the writer process stops")
            return
        if batch is None:
            return
        for message in batch:
            if message[0] == "command":
                _, seq, command, journal = message
                writer.submit(command, journal).add_done_callback(partial(outbox.done, seq))
            else:
                _, seq, journal, presence = message
                if seq is None:
                    writer.record(journal, presence)
                else:
                    committed = writer.record_committed(journal, presence)
                    committed.add_done_callback(partial(outbox.done, seq))


def _describe(error: BaseException | None) -> str | None:
    return None if error is None else f"{type(error).__name__}: {error}"
