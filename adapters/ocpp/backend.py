"""What a station session needs from the CSMS, behind one small interface.

`LedgerBackend` is the product: commands through the group-commit writer, ack after
commit. `NullBackend` answers the same messages from memory and stores nothing; it
exists to measure our own overhead (`chargeledger serve --store none`, issue 6).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from domain import commands
from domain.application import CentralSystem
from domain.results import BootResult, IdTagInfo, StartResult, StopResult
from domain.writer import CommandWriter

JournalRow = tuple[Any, ...]
Outcomes = list[Any]  # per key: the value read, or the exception reading it raised
K = TypeVar("K")
V = TypeVar("V")
MAX_READS = 64  # per thread hop: the first stations of a storm are not held back long
READ_HOPS = 4  # hops at once: a PostgreSQL read is a round trip (pool size 4)


@dataclass(frozen=True)
class StationAccess:
    """What the WebSocket upgrade and the session gate need to know of an identity."""

    accepted: bool
    password_hash: str | None


class Backend(Protocol):
    async def execute(self, command: commands.Command, journal: list[JournalRow]) -> Any:
        """Commit the command (with the journal rows) and return its result."""

    async def authorize(self, id_tag: str) -> IdTagInfo: ...

    async def access(self, station: str) -> StationAccess: ...

    def record(
        self, journal: list[JournalRow], presence: list[tuple[Any, ...]]
    ) -> None: ...

    def record_committed(self, presence: list[tuple[Any, ...]]) -> Awaitable[Any]:
        """Queue the rows now, behind everything recorded before; the result is done
        once they are committed."""


class BatchedReads(Generic[K, V]):
    """Keys asked for in one loop turn, or while every hop is busy, are read
    together in one thread hop.

    A storm of connections then costs a few hops instead of one each (a hop is a
    submit, a future and a loop wake-up), and a key is read once however many ask
    for it at the same time. A key is never answered by a read that started before
    it was asked for, which might miss a commit it should see.
    """

    def __init__(
        self, read: Callable[[K], V], max_batch: int = MAX_READS, hops: int = READ_HOPS
    ) -> None:
        self._read = read
        self._max_batch = max_batch
        self._hops = hops
        self._in_flight = 0
        self._waiting: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K) -> V:
        future = self._waiting.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._waiting[key] = future
            if len(self._waiting) == 1 and self._in_flight < self._hops:
                asyncio.get_running_loop().call_soon(self._start_hops)
        return await asyncio.shield(future)  # a caller that gives up leaves the read

    def _start_hops(self) -> None:
        """Keys gathered in this loop turn go out now, over the free hops."""
        while self._waiting and self._in_flight < self._hops:
            keys = list(itertools.islice(self._waiting, self._max_batch))
            batch = {key: self._waiting.pop(key) for key in keys}
            hop = asyncio.get_running_loop().run_in_executor(None, self._read_all, keys)
            hop.add_done_callback(lambda done, batch=batch: self._settle(batch, done))
            self._in_flight += 1

    def _read_all(self, keys: list[K]) -> Outcomes:
        outcomes: Outcomes = []
        for key in keys:
            try:
                outcomes.append(self._read(key))
            except Exception as error:  # that key's caller gets it, not the batch
                outcomes.append(error)
        return outcomes

    def _settle(
        self, batch: dict[K, asyncio.Future[V]], hop: asyncio.Future[Outcomes]
    ) -> None:
        try:
            outcomes = hop.result()
        except BaseException as error:  # the hop itself failed, or the loop is closing
            outcomes = [error] * len(batch)
        for future, outcome in zip(batch.values(), outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        self._in_flight -= 1
        self._start_hops()


class LedgerBackend:
    def __init__(self, central: CentralSystem, writer: CommandWriter) -> None:
        self.central = central
        self.writer = writer
        self._loading: dict[str, asyncio.Future[IdTagInfo]] = {}
        self._stations = BatchedReads(central.find_station)
        self._journal: list[JournalRow] = []  # side rows of this loop turn
        self._presence: list[tuple[Any, ...]] = []

    async def execute(self, command: commands.Command, journal: list[JournalRow]) -> Any:
        handled = await self.writer.submit_async(command, journal)
        return handled.result

    async def authorize(self, id_tag: str) -> IdTagInfo:
        cached = self.central.cached_authorization(id_tag)  # answered at once
        if cached is not None:
            return cached
        # One load per tag: a fleet card presented at many stations at once (after a
        # restart) must not rebuild the same aggregate in every worker thread.
        key = id_tag.casefold()
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.ensure_future(asyncio.to_thread(self.central.authorize, id_tag))
            self._loading[key] = loading
            loading.add_done_callback(lambda _: self._loading.pop(key, None))
        return await asyncio.shield(loading)

    async def access(self, station: str) -> StationAccess:
        found = await self._stations.get(station)
        if found is None:
            return StationAccess(False, None)
        return StationAccess(found.accepted, found.password_hash)

    def record(self, journal: list[JournalRow], presence: list[tuple[Any, ...]]) -> None:
        """Side rows of one loop turn go to the writer as one item at the turn's end:
        an item per answered CALL was half of the writer's queue in a storm, and a
        batch is bounded in items, not rows."""
        if not (self._journal or self._presence):
            try:
                asyncio.get_running_loop().call_soon(self._flush)
            except RuntimeError:  # no loop (a script): nothing to wait for
                self.writer.record(journal, presence)
                return
        self._journal += journal
        self._presence += presence

    def _flush(self) -> None:
        if self._journal or self._presence:
            self.writer.record(self._journal, self._presence)
            self._journal, self._presence = [], []

    def record_committed(self, presence: list[tuple[Any, ...]]) -> Awaitable[Any]:
        self._flush()  # keep the order: a disconnect recorded before this connect
        return self.writer.record_async([], presence)


class NullBackend:
    """Stores nothing: every station Accepted, every tag Accepted, ids from a counter."""

    def __init__(self, heartbeat_interval: int = 300) -> None:
        self._ids = itertools.count(1)
        self._interval = heartbeat_interval

    async def execute(self, command: commands.Command, journal: list[JournalRow]) -> Any:
        now = datetime.now(UTC)
        if isinstance(command, commands.RegisterBoot):
            return BootResult("Accepted", self._interval, now)
        if isinstance(command, commands.StartTransaction):
            return StartResult(next(self._ids), IdTagInfo("Accepted"))
        if isinstance(command, commands.StopTransaction):
            return StopResult(IdTagInfo("Accepted") if command.id_tag else None)
        return None

    async def authorize(self, id_tag: str) -> IdTagInfo:
        return IdTagInfo("Accepted")

    async def access(self, station: str) -> StationAccess:
        return StationAccess(True, None)

    def record(self, journal: list[JournalRow], presence: list[tuple[Any, ...]]) -> None:
        pass

    def record_committed(self, presence: list[tuple[Any, ...]]) -> Awaitable[Any]:
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done
