"""The write side in a process of its own: the group-commit writer.

In one interpreter the event loop, the writer and the projection follower shared one
GIL. At half of capacity it was busy ~85 % of the time, and every answer queued
behind the other threads' turns (profile in docs/performance.md, third pass). Here
the child process owns every write (CommandWriter, ack after commit as before); the
projections run in a process of their own (ops.projection_process) and the server
process keeps the WebSockets, GraphQL and a read-only CentralSystem for what it
answers itself (access checks, Authorize read copies, stored history).

Messages (see ops.child_process for the pipe):

    server → writer   ("command", seq, command, journal rows)
                      ("rows", seq | None, journal rows, presence rows)
                      ("stale", [(aggregate id, version)])   committed, maybe by
                                              another node: cached copies may be old
    writer → server   ("done", seq, Handled | exception)    after the commit
                      ("forget", [tag ids])   Authorize answers changed (at commit)
                      ("commit", BatchStats)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.application import AUTHORIZATION_EVENTS, CentralSystem
from domain.results import Handled
from domain.writer import BatchStats, CommandWriter, settle
from ops.child_process import (
    ChildProcess,
    ChildStopped,
    Message,
    Outbox,
    child_outbox,
    receive,
)
from projections.database import open_database

if TYPE_CHECKING:
    from eventsourcing.persistence import Recording

    from domain.commands import Command
    from ops.settings import Settings

log = logging.getLogger(__name__)
JournalRows = list[tuple[Any, ...]]
WriterStopped = ChildStopped  # nothing more can be committed by this node


@dataclass
class WriterHooks:
    """What the server process does with the writer's reports."""

    on_commit: Callable[[BatchStats], None] | None = None
    on_forget: Callable[[list[UUID]], None] | None = None


class WriterProcess:
    """CommandWriter's interface, served by a child process (see the module doc)."""

    def __init__(
        self, settings: Settings, central: CentralSystem, hooks: WriterHooks | None = None
    ) -> None:
        self.central = central  # read-only here: stored events, access checks
        self._hooks = hooks or WriterHooks()
        self._lock = threading.Lock()  # the buffer and the pending calls, in order
        self._buffer: list[Message] = []
        self._pending: dict[int, tuple[Any, asyncio.AbstractEventLoop | None]] = {}
        self._seq = 0
        self.stopped: str | None = None  # why no more can be committed
        self._child = ChildProcess("writer", run_writer, settings,
                                   on_messages=self._dispatch, on_gone=self._gone)  # fmt: skip

    @property
    def process(self) -> Any:
        return self._child.process

    def start(self) -> None:
        self._child.start()

    def stop(self) -> None:
        with self._lock:
            self._flush_locked()
        self._child.stop()  # the child commits what it holds, then exits

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

    def stale(self, versions: Sequence[tuple[UUID, int]]) -> None:
        """These events were committed (the projections saw them in the log)."""
        if versions:
            self._put(None, None, lambda _: ("stale", versions))

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
        if self._buffer and self.stopped is None:
            batch, self._buffer = self._buffer, []
            self._child.send(batch)

    # -- replies -----------------------------------------------------------------------

    def _dispatch(self, messages: list[Message]) -> None:
        by_loop: dict[Any, list[tuple[Any, Any]]] = {}
        hooks = self._hooks
        for message in messages:
            kind = message[0]
            if kind == "done":  # (dict pops are atomic: no lock against the sender)
                future, loop = self._pending.pop(message[1], (None, None))
                if future is not None:
                    by_loop.setdefault(loop, []).append((future, message[2]))
            elif kind == "forget" and hooks.on_forget is not None:
                hooks.on_forget(message[1])
            elif kind == "commit" and hooks.on_commit is not None:
                hooks.on_commit(message[1])
        for loop, pairs in by_loop.items():
            if loop is None:
                settle(pairs)
            else:
                _call_soon(loop, settle, pairs)

    def _gone(self, reason: str) -> None:
        """The child exited (stopped, crashed or killed): whoever still waits is told."""
        with self._lock:
            self.stopped = self.stopped or reason
            pending, self._pending = self._pending, {}
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


def run_writer(settings: Settings, conn: Connection) -> None:
    """The child's main: the write side of `serve`, until the server says stop or
    its end of the pipe closes."""
    from ops.interpreter import tune_interpreter
    from ops.store import open_central

    outbox = child_outbox(settings, conn)
    try:
        db = open_database(settings.database)
        central = open_central(settings, db)
    except Exception as error:
        log.exception("the writer process could not open the store")
        outbox.put(("failed", f"could not open the store: {error}"))
        outbox.close()
        return

    def recorded(recordings: list[Recording[UUID]]) -> None:
        tags = [r.domain_event.originator_id for r in recordings
                if isinstance(r.domain_event, AUTHORIZATION_EVENTS)]  # fmt: skip
        if tags:
            outbox.put(("forget", tags))

    central.on_recorded = recorded
    writer = CommandWriter(central, on_commit=lambda stats: outbox.put(("commit", stats)))
    writer.start()
    tune_interpreter()
    outbox.put(("ready",))
    try:
        _serve(conn, writer, outbox)
    finally:
        writer.stop()
        outbox.close()
        central.close()
        db.close()
        conn.close()


def _serve(conn: Connection, writer: CommandWriter, outbox: Outbox) -> None:
    while (batch := receive(conn)) is not None:
        for message in batch:
            kind = message[0]
            if kind == "command":
                _, seq, command, journal = message
                writer.submit(command, journal).add_done_callback(partial(_done, outbox, seq))
            elif kind == "stale":
                for aggregate_id, version in message[1]:
                    writer.central.cache.invalidate(aggregate_id, version)
            else:
                _, seq, journal, presence = message
                if seq is None:
                    writer.record(journal, presence)
                else:
                    committed = writer.record_committed(journal, presence)
                    committed.add_done_callback(partial(_done, outbox, seq))


def _done(outbox: Outbox, seq: int, future: Future[Handled]) -> None:
    error = future.exception()
    outbox.put(("done", seq, error if error is not None else future.result()))
