"""Audit functions over a CSMS database: opening it read-only, naming what is in it
(stations, transactions, reservations, event types, times), and the global event log.
Plain functions over a Ledger, so tests call them without argparse; the commands in
`ops/commands/` only parse, call and print. How the log is read and rendered is shared
with the API (projections/history*.py); more here in audit_history (one aggregate, time
travel), audit_journal (frames, export) and audit_replay (resending a recorded session).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from uuid import NAMESPACE_URL, UUID, uuid5

from adapters.storage.eventstore import eventsourcing_env
from domain.application import CentralSystem
from domain.station import Station
from domain.timestamps import parse_iso
from domain.transaction_number import TransactionNumber
from ops.audit_store import AuditError, Ledger
from ops.output import Record
from projections.database import open_database, sqlite_path
from projections.event_index import event_classes
from projections.history import EventFilter, UnknownEventType
from projections.history_log import EventLog
from projections.history_log import event_types as full_type_names

__all__ = ["AuditError", "EventFilter", "Ledger", "events", "open_ledger"]


@contextmanager
def open_ledger(url: str) -> Iterator[Ledger]:
    """Open a database for reading only (no table is created), whether or not a
    server is running on it."""
    postgres = url.startswith(("postgresql://", "postgres://"))
    if not postgres and not Path(sqlite_path(url)).is_file():
        raise AuditError(f"no database at {sqlite_path(url)}")
    try:
        central = CentralSystem(eventsourcing_env(url, create_table=False))
        ledger = Ledger(central, open_database(url))
    except Exception as error:
        raise AuditError(f"cannot open the database: {_first_line(error)}") from None
    try:
        _check(ledger)
        yield ledger
    finally:
        ledger.close()


def _check(ledger: Ledger) -> None:
    try:
        stored = ledger.has_table(ledger.events_table)
    except Exception as error:
        raise AuditError(f"cannot read the database: {_first_line(error)}") from None
    if not stored:
        raise AuditError("no ChargeLedger event store in this database")


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


# -- naming things -------------------------------------------------------------------


def parse_time(text: str, option: str = "time") -> datetime:
    """ISO 8601, with or without milliseconds, `Z` or an offset; naive means UTC."""
    parsed = parse_iso(text)
    if parsed is None:
        raise AuditError(
            f"{option}: cannot read {text!r} as an ISO 8601 time "
            "(e.g. 2026-11-25T03:00:00Z)"
        )
    return parsed


def station_aggregate(ledger: Ledger, station: str) -> UUID:
    aggregate_id = Station.create_id(station)
    if not ledger.exists(aggregate_id):
        raise AuditError(f"unknown station {station!r}")
    return aggregate_id


def transaction_aggregate(ledger: Ledger, number: int) -> UUID:
    link = next(
        iter(ledger.central.events.get(TransactionNumber.create_id(number))), None
    )
    if link is None:
        raise AuditError(f"unknown transaction {number}")
    return UUID(str(link.transaction))  # type: ignore[attr-defined]


def reservation_aggregate(ledger: Ledger, number: int) -> UUID:
    aggregate_id = uuid5(NAMESPACE_URL, f"/reservations/{number}")
    if not ledger.exists(aggregate_id):
        known = any(name.startswith("Reservation.") for name in event_classes())
        raise AuditError(
            f"unknown reservation {number}"
            if known
            else f"no reservation {number}: this version records no "
            "reservations yet (no Reservation aggregate)"
        )
    return aggregate_id


def any_aggregate(ledger: Ledger, text: str) -> UUID:
    try:
        aggregate_id = UUID(text)
    except ValueError:
        raise AuditError(f"not an aggregate id (UUID): {text!r}") from None
    if not ledger.exists(aggregate_id):
        raise AuditError(f"no aggregate {aggregate_id}")
    return aggregate_id


def event_types(names: Sequence[str]) -> tuple[str, ...]:
    """Full type names; `ConnectorStatusChanged` alone names every aggregate's."""
    try:
        return full_type_names(names)
    except UnknownEventType as unknown:
        raise AuditError(str(unknown)) from None


# -- the event log -------------------------------------------------------------------


def events(
    ledger: Ledger,
    flt: EventFilter,
    *,
    limit: int | None = None,
    follow: bool = False,
    interval: float = 1.0,
) -> Iterator[Record | None]:
    """Matching events in log order; with `follow`, then new ones as they are stored
    (polled: SQLite cannot notify), yielding None before each wait."""
    log = EventLog(ledger, flt)
    source, count, delay = log.records(), 0, 0.05
    while True:
        before = log.scanned
        for record in source:
            yield record
            count += 1
            if limit is not None and count >= limit:
                return
        if not follow:
            return
        yield None
        delay = 0.05 if log.scanned != before else min(delay * 2, interval)
        time.sleep(delay)
        source = log.tail()
