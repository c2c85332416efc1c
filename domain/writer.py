"""Group commit: one writer thread decides queued commands in batches, one commit each.

Every command from any side is submitted here; its future resolves only after the
batch holding its events is durably committed (ack after commit). Concurrent stations
share commits instead of paying one fsync each.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from domain.application import CentralSystem
from domain.commands import Command
from domain.results import Handled

log = logging.getLogger(__name__)
MAX_BATCH = 512
# Side rows nobody waits for (journal, presence) wait this long for a command to ride
# with: at half of capacity half of all commits held nothing else, each an fsync that
# the next command queued behind (docs/performance.md, fourth pass).
SIDE_ROWS_DELAY = 0.05


@dataclass
class BatchStats:
    """What the last commit did, for metrics."""

    commands: int = 0
    side_rows: int = 0
    seconds: float = 0.0


@dataclass
class _Item:
    command: Command | None
    future: Future[Handled] | asyncio.Future[Handled] | None
    journal: list[tuple[Any, ...]] = field(default_factory=list)
    presence: list[tuple[Any, ...]] = field(default_factory=list)
    loop: asyncio.AbstractEventLoop | None = None


class CommandWriter:
    """The single writer of one node; commands from every side go through submit()."""

    stopped: str | None = None  # a thread of this process: never lost on its own

    def __init__(
        self,
        central: CentralSystem,
        *,
        on_commit: Callable[[BatchStats], None] | None = None,
        side_rows_delay: float = SIDE_ROWS_DELAY,
    ) -> None:
        self.central = central
        self.side_rows_delay = side_rows_delay
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._on_commit = on_commit
        self._thread = threading.Thread(target=self._run, name="writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=30)

    def submit(
        self, command: Command, journal: list[tuple[Any, ...]] | None = None
    ) -> Future[Handled]:
        """Queue a command; `journal` rows are committed with its events."""
        future: Future[Handled] = Future()
        self._queue.put(_Item(command, future, journal or []))
        return future

    def submit_async(
        self, command: Command, journal: list[tuple[Any, ...]] | None = None
    ) -> asyncio.Future[Handled]:
        """submit() for the event loop: a batch wakes the loop once, not per command."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Handled] = loop.create_future()
        self._queue.put(_Item(command, future, journal or [], loop=loop))
        return future

    def record(
        self,
        journal: list[tuple[Any, ...]] | None = None,
        presence: list[tuple[Any, ...]] | None = None,
    ) -> None:
        """Side rows (frame journal, presence) for the next commit; nobody waits."""
        self._queue.put(_Item(None, None, journal or [], presence or []))

    def record_committed(
        self, journal: list[tuple[Any, ...]], presence: list[tuple[Any, ...]]
    ) -> Future[Handled]:
        """record(), with a future that is done once the rows are committed."""
        future: Future[Handled] = Future()
        self._queue.put(_Item(None, future, journal, presence))
        return future

    def record_async(
        self, journal: list[tuple[Any, ...]], presence: list[tuple[Any, ...]]
    ) -> asyncio.Future[Handled]:
        """record() for a caller that must know the rows are committed (session
        ownership on connect: another node routes calls by it)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Handled] = loop.create_future()
        self._queue.put(_Item(None, future, journal, presence, loop=loop))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = self._drain(batch)
            if not stop and not any(item.future is not None for item in batch):
                stop = self._await_waiter(batch)
            self._commit(batch)
            if stop:
                return

    def _drain(self, batch: list[_Item]) -> bool:
        while len(batch) < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    def _await_waiter(self, batch: list[_Item]) -> bool:
        """Gather until an item somebody waits for arrives (then take what else is
        queued) or the side-rows delay has passed. True when stop() was called."""
        deadline = time.monotonic() + self.side_rows_delay
        while len(batch) < MAX_BATCH:
            left = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is None:
                return True
            batch.append(item)
            if item.future is not None:
                return self._drain(batch)
        return False

    def _commit(self, batch: list[_Item]) -> None:
        started = time.perf_counter()
        commands = [i for i in batch if i.command is not None]
        journal = [row for i in batch for row in i.journal]
        presence = merge_presence(row for i in batch for row in i.presence)
        cmds = [i.command for i in commands if i.command is not None]
        try:
            outcomes = self.central.handle_batch(cmds, journal=journal, presence=presence)
        except Exception:
            log.warning("batch commit failed; retrying its commands one by one",
                        exc_info=True)  # fmt: skip
            outcomes = [self._one(cmd) for cmd in cmds]
            self._side_rows_alone(journal, presence)
        settled: list[tuple[_Item, Handled | BaseException]] = list(
            zip(commands, outcomes, strict=True)
        )
        side_waiters = [i for i in batch if i.command is None and i.future is not None]
        settled += [(i, Handled(None, None)) for i in side_waiters]
        for loop in {i.loop for i, _ in settled if i.loop is not None}:
            mine = [(i.future, o) for i, o in settled if i.loop is loop]
            loop.call_soon_threadsafe(settle, mine)
        settle([(i.future, o) for i, o in settled if i.loop is None])
        if self._on_commit is not None:
            stats = BatchStats(len(cmds), len(journal) + len(presence),
                               time.perf_counter() - started)  # fmt: skip
            self._on_commit(stats)

    def _one(self, cmd: Command) -> Handled | BaseException:
        # A conflict with another node's commit: fast-forward reloads the aggregates.
        try:
            return self.central.handle_batch([cmd], optimistic=False)[0]
        except Exception as error:
            return error

    def _side_rows_alone(self, journal: list[Any], presence: list[Any]) -> None:
        try:
            self.central.handle_batch([], journal=journal, presence=presence)
        except Exception:
            log.exception("journal/presence rows lost with a failed commit")


def settle(pairs: Iterable[tuple[Any, Handled | BaseException]]) -> None:
    """Each (future, outcome): its result, or its exception for the waiter to raise.
    Call it on the future's loop for an asyncio future."""
    for future, outcome in pairs:
        if future is None or future.done():  # an awaiting task may have been cancelled
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def merge_presence(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One upsert per station and batch: newest sighting, last connect/disconnect."""
    merged: dict[str, tuple[Any, ...]] = {}
    for station, online, seen, node in rows:
        if station in merged:
            _, old_online, old_seen, old_node = merged[station]
            online = old_online if online is None else online
            node = old_node if node is None else node
            seen = max(seen, old_seen)
        merged[station] = (station, online, seen, node)
    return list(merged.values())
