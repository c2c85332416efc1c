"""What a live subscriber sees, and how it is made from the event log.

`LiveEvents.translate` turns a stored notification into a `LiveEvent` naming its
station (ids of stations, transactions and operations are UUIDs in the log). Names
come from the creating events it saw, or else from the views.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from domain.operation import Operation
from domain.station import Station
from domain.transaction import Transaction
from projections.base import topics
from projections.database import Database
from projections.operations import OPERATIONS
from projections.stations import STATIONS
from projections.transactions import TRANSACTIONS

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

TOPICS = topics(
    Station.Identified,
    Station.ConnectorStatusChanged,
    Transaction.Started,
    Transaction.Stopped,
    Operation.Requested,
    Operation.Completed,
)
MEMO_SIZE = 10_000  # names kept per kind; older ones are looked up again
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class LiveEvent:
    station_id: str
    position: int  # notification id: the order of the event log
    recorded_at: datetime


@dataclass(frozen=True)
class ConnectorStatusChanged(LiveEvent):
    connector_id: int
    status: str
    error_code: str
    info: str | None
    timestamp: datetime  # the station's own


@dataclass(frozen=True)
class TransactionStarted(LiveEvent):
    transaction_id: int
    connector_id: int
    id_tag: str
    meter_start: int
    started_at: datetime
    authorization_status: str


@dataclass(frozen=True)
class TransactionStopped(LiveEvent):
    transaction_id: int
    connector_id: int
    meter_stop: int
    stopped_at: datetime
    reason: str


@dataclass(frozen=True)
class OperationCompleted(LiveEvent):
    operation_id: str
    action: str
    outcome: str
    error_code: str | None
    error_description: str | None


class Lookup(Protocol):
    """Names for aggregates whose creation was not seen (before this process ran)."""

    def station(self, uuid: str) -> str | None: ...
    def transaction(self, uuid: str) -> tuple[str, int, int] | None: ...
    def operation(self, uuid: str) -> tuple[str, str] | None: ...


class SqlLookup:
    """Lookup in the views; they hold everything up to the batch before."""

    def __init__(self, db: Database, prefix: str = "") -> None:
        self._db, self._prefix = db, prefix

    def station(self, uuid: str) -> str | None:
        found = self._one("id", STATIONS.name, uuid)
        return found["id"] if found else None

    def transaction(self, uuid: str) -> tuple[str, int, int] | None:
        found = self._one(
            "station_id, transaction_id, connector_id", TRANSACTIONS.name, uuid
        )
        if found is None:
            return None
        return found["station_id"], found["transaction_id"], found["connector_id"]

    def operation(self, uuid: str) -> tuple[str, str] | None:
        found = self._one("station_id, action", OPERATIONS.name, uuid)
        return (found["station_id"], found["action"]) if found else None

    def _one(self, columns: str, table: str, uuid: str) -> dict[str, Any] | None:
        sql = f"SELECT {columns} FROM {self._prefix}{table} WHERE uuid = ?"
        rows = self._db.query(sql, [uuid])
        return rows[0] if rows else None


class _Memo(Generic[K, V]):
    """A bounded map, oldest dropped first; looked up through `miss` when absent."""

    def __init__(self, miss: Callable[[K], V | None], size: int = MEMO_SIZE) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._miss, self._size = miss, size

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        if key in self._items:
            return self._items[key]
        found = self._miss(key)
        if found is not None:
            self.put(key, found)
        return found


class LiveEvents:
    """Translates notifications into live events; used from one thread only."""

    def __init__(self, decode: Callable[[Notification], Any], lookup: Lookup) -> None:
        self._decode = decode
        self._stations = _Memo[str, str](lookup.station)
        self._transactions = _Memo[str, tuple[str, int, int]](lookup.transaction)
        self._operations = _Memo[str, tuple[str, str]](lookup.operation)

    def translate(self, notification: Notification) -> LiveEvent | None:
        if notification.topic not in TOPICS:
            return None
        event = self._decode(notification)
        handler = _HANDLERS.get(type(event))
        return handler(self, notification.id, event) if handler else None

    def _identified(self, at: int, e: Station.Identified) -> None:
        self._stations.put(str(e.originator_id), e.charge_point_id)

    def _status(self, at: int, e: Station.ConnectorStatusChanged) -> LiveEvent | None:
        station = self._stations.get(str(e.originator_id))
        if station is None:
            return None
        return ConnectorStatusChanged(
            station_id=station, position=at, recorded_at=e.timestamp,
            connector_id=e.connector_id, status=e.status, error_code=e.error_code,
            info=e.info, timestamp=e.station_timestamp,
        )  # fmt: skip

    def _started(self, at: int, e: Transaction.Started) -> LiveEvent:
        names = (e.charge_point_id, e.transaction_id, e.connector_id)
        self._transactions.put(str(e.originator_id), names)
        return TransactionStarted(
            station_id=e.charge_point_id, position=at, recorded_at=e.timestamp,
            transaction_id=e.transaction_id, connector_id=e.connector_id,
            id_tag=e.id_tag, meter_start=e.meter_start, started_at=e.started_at,
            authorization_status=e.authorization,
        )  # fmt: skip

    def _stopped(self, at: int, e: Transaction.Stopped) -> LiveEvent | None:
        names = self._transactions.get(str(e.originator_id))
        if names is None:
            return None
        return TransactionStopped(
            station_id=names[0], position=at, recorded_at=e.timestamp,
            transaction_id=names[1], connector_id=names[2], meter_stop=e.meter_stop,
            stopped_at=e.stopped_at, reason=e.reason,
        )  # fmt: skip

    def _requested(self, at: int, e: Operation.Requested) -> None:
        self._operations.put(str(e.originator_id), (e.charge_point_id, e.action))

    def _completed(self, at: int, e: Operation.Completed) -> LiveEvent | None:
        names = self._operations.get(str(e.originator_id))
        if names is None:
            return None
        return OperationCompleted(
            station_id=names[0], position=at, recorded_at=e.timestamp,
            operation_id=str(e.originator_id), action=names[1], outcome=e.outcome,
            error_code=e.error_code, error_description=e.error_description,
        )  # fmt: skip


_HANDLERS: dict[type, Callable[..., LiveEvent | None]] = {
    Station.Identified: LiveEvents._identified,
    Station.ConnectorStatusChanged: LiveEvents._status,
    Transaction.Started: LiveEvents._started,
    Transaction.Stopped: LiveEvents._stopped,
    Operation.Requested: LiveEvents._requested,
    Operation.Completed: LiveEvents._completed,
}
