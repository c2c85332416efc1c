"""What a resolver may use: the read-side queries and the one writer path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from aiohttp import web
from strawberry.dataloader import DataLoader

from domain.commands import Command
from domain.exceptions import DomainError
from domain.results import Handled
from projections.queries import Queries
from projections.rows import MeterValueRow

T = TypeVar("T")
READ_YOUR_WRITES_TIMEOUT = 5.0  # seconds a mutation waits for the read models
# Waiting mutations get their own threads: a lagging view must not starve the default
# executor that every query runs on.
_WAITERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="read-your-writes")


class ApiError(Exception):
    """A refusal the client should read (bad argument, rule violated): never masked."""


class CommandSubmitter(Protocol):
    def submit(self, command: Command) -> Future[Handled]: ...


class ReadModelWaiter(Protocol):
    def wait(self, notification_id: int | None, timeout: float) -> bool: ...


@dataclass(frozen=True)
class Services:
    """Given once to add_graphql_routes; shared by every request."""

    queries: Queries
    writer: CommandSubmitter
    follower: ReadModelWaiter


@dataclass
class Context:
    request: web.Request
    response: web.StreamResponse
    services: Services
    meter_values: DataLoader[int, list[MeterValueRow]] = field(init=False)

    def __post_init__(self) -> None:
        # One batched query per request for all the transactions on a page.
        self.meter_values = DataLoader(load_fn=self._load_meter_values)

    @property
    def queries(self) -> Queries:
        return self.services.queries

    async def read(
        self, query: Callable[..., T], /, *args: object, **kwargs: object
    ) -> T:
        """Run a query off the event loop (the store is synchronous)."""
        return await asyncio.to_thread(query, *args, **kwargs)

    async def execute(self, command: Command) -> bool:
        """Submit a command, then wait (bounded) until the read models show it.

        Returns False if they did not catch up in time: the write stands, the answer
        may not show it yet."""
        try:
            handled = await asyncio.wrap_future(self.services.writer.submit(command))
        except (DomainError, ValueError) as refused:
            raise ApiError(str(refused) or type(refused).__name__) from refused
        wait = self.services.follower.wait
        return await asyncio.get_running_loop().run_in_executor(
            _WAITERS, wait, handled.notification_id, READ_YOUR_WRITES_TIMEOUT
        )

    async def _load_meter_values(self, ids: list[int]) -> list[list[MeterValueRow]]:
        found = await self.read(self.queries.meter_values, ids)
        return [found[i] for i in ids]
