"""What a station session needs from the CSMS, behind one small interface.

`LedgerBackend` is the product: commands through the group-commit writer, ack after
commit. `NullBackend` answers the same messages from memory and stores nothing; it
exists to measure our own overhead (`chargeledger serve --store none`, issue 6).
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from domain import commands
from domain.application import CentralSystem
from domain.results import BootResult, IdTagInfo, StartResult, StopResult
from domain.writer import CommandWriter

JournalRow = tuple[Any, ...]


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

    async def record_committed(self, presence: list[tuple[Any, ...]]) -> None:
        """record(), returning once the rows are committed."""


class LedgerBackend:
    def __init__(self, central: CentralSystem, writer: CommandWriter) -> None:
        self.central = central
        self.writer = writer
        self._loading: dict[str, asyncio.Future[IdTagInfo]] = {}

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
        found = await asyncio.to_thread(self.central.find_station, station)
        if found is None:
            return StationAccess(False, None)
        return StationAccess(found.accepted, found.password_hash)

    def record(self, journal: list[JournalRow], presence: list[tuple[Any, ...]]) -> None:
        self.writer.record(journal, presence)

    async def record_committed(self, presence: list[tuple[Any, ...]]) -> None:
        await self.writer.record_async([], presence)


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

    async def record_committed(self, presence: list[tuple[Any, ...]]) -> None:
        pass
