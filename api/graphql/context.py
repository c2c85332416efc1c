"""What a resolver may use: the read-side queries and the one writer path."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from uuid import UUID

from aiohttp import web
from strawberry.dataloader import DataLoader

from domain.commands import Command
from domain.exceptions import DomainError
from domain.results import Handled
from projections.history import EventHistory
from projections.live import LiveHub
from projections.operation_queries import AvailabilityRow, ConfigurationRow
from projections.queries import HistoryQueries, Queries
from projections.rows import MeterValueRow

if TYPE_CHECKING:
    from domain.application import CentralSystem

T = TypeVar("T")
READ_YOUR_WRITES_TIMEOUT = 5.0  # seconds a mutation waits for the read models
# Waiting mutations get their own threads: a lagging view must not starve the default
# executor that every query runs on.
_WAITERS = ThreadPoolExecutor(max_workers=16, thread_name_prefix="read-your-writes")


class ApiError(Exception):
    """A refusal the client should read (bad argument, rule violated): never masked."""


class CommandSubmitter(Protocol):
    # The node's write model; the API only reads stored events through it (history).
    @property
    def central(self) -> CentralSystem: ...
    def submit(self, command: Command) -> Future[Handled]: ...


class ReadModelWaiter(Protocol):
    def wait(self, notification_id: int | None, timeout: float) -> bool: ...


class CallResult(Protocol):
    """What came of one CSMS-initiated call (adapters.ocpp.gateway.OperationResult)."""

    @property
    def operation_id(self) -> UUID: ...
    @property
    def outcome(self) -> str: ...
    @property
    def response(self) -> dict[str, Any] | None: ...
    @property
    def error_code(self) -> str | None: ...
    @property
    def error_description(self) -> str | None: ...


class StationGateway(Protocol):
    """The one outbound path (ARCHITECTURE.md §5). It raises an exception with
    `code` and `description` when the arguments break the OCPP schema."""

    async def call(
        self, station: str, action: str, arguments: dict[str, Any], requested_by: str
    ) -> CallResult: ...


@dataclass(frozen=True)
class Services:
    """Given once to add_graphql_routes; shared by every request."""

    queries: Queries
    writer: CommandSubmitter
    follower: ReadModelWaiter
    gateway: StationGateway | None = None
    live: LiveHub | None = None

    @cached_property
    def history(self) -> HistoryQueries:
        """The stored events: through the writer's CentralSystem (stored events and
        past versions only, never its cache) and the event index in the read models'
        database."""
        return EventHistory(self.writer.central, self.queries.db)


@dataclass
class Context:
    request: web.Request
    response: web.StreamResponse
    services: Services
    # graphql-transport-ws: the connection_init payload (strawberry sets it).
    connection_params: dict[str, Any] | None = None
    meter_values: DataLoader[int, list[MeterValueRow]] = field(init=False)
    configuration: DataLoader[str, list[ConfigurationRow]] = field(init=False)
    availability: DataLoader[str, list[AvailabilityRow]] = field(init=False)

    def __post_init__(self) -> None:
        # One batched query per request for all the rows on a page.
        self.meter_values = DataLoader(load_fn=self._load_meter_values)
        self.configuration = DataLoader(load_fn=self._by_station("configuration"))
        self.availability = DataLoader(load_fn=self._by_station("availability"))

    @property
    def queries(self) -> Queries:
        return self.services.queries

    @property
    def history(self) -> HistoryQueries:
        return self.services.history

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

    def _by_station(self, query: str) -> Callable[[list[str]], Any]:
        async def load(station_ids: list[str]) -> list[Any]:
            found = await self.read(getattr(self.queries, query), station_ids)
            return [found[s] for s in station_ids]

        return load
