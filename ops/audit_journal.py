"""The raw frame journal for audits: a station's frames in and out, the CALL behind
an event, and exports of events and frames merged in time order."""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.operation import Operation
from ops.audit_store import Ledger
from ops.output import Record
from projections.base import utc_text
from projections.database import Row
from projections.event_index import describe
from projections.history_store import PAGE

JOURNAL = "chargeledger_journal"
CALL, CALLRESULT, CALLERROR = 2, 3, 4
# Station CALLs that can lead to each event; anything else came from an operator or
# the CSMS itself (a Heartbeat answered meanwhile is no cause of a registration).
CAUSED_BY: dict[str, frozenset[str]] = {
    name: frozenset(actions.split())
    for name, actions in {
        "Station.Identified": "BootNotification",
        "Station.BootNotified": "BootNotification",
        "Station.ConnectorStatusChanged": "StatusNotification",
        "Station.MeterValuesRecorded": "MeterValues",
        "Station.UnknownTransactionStopped": "StopTransaction",
        "Station.DataTransferReceived": "DataTransfer",
        "Station.ConnectorOccupied": "StartTransaction",
        "Station.ConnectorReleased": "StartTransaction StopTransaction",
        "Station.DiagnosticsStatusNotified": "DiagnosticsStatusNotification",
        "Station.FirmwareStatusNotified": "FirmwareStatusNotification",
        "Transaction.Started": "StartTransaction",
        "Transaction.MeterValuesRecorded": "MeterValues",
        "Transaction.Stopped": "StopTransaction",
        "Transaction.StopConflicted": "StopTransaction",
        "Transaction.ClosedAsStale": "StartTransaction",
    }.items()
}
# A CALL is received before the events it causes exist and answered after they are
# committed; this bounds how long before an event its CALL may have arrived.
LOOKBEHIND = timedelta(minutes=5)


def journal_time(value: datetime) -> str:
    """A bound in the journal's own format (`isoformat()` in UTC): with it, text
    order is time order, so the comparison can run in SQL."""
    return value.astimezone(UTC).isoformat()


def journal(
    ledger: Ledger,
    station: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_id: int = 0,
) -> Iterator[Record]:
    """Frames in journal order, for one station or all; time bounds are inclusive."""
    where: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("station = ?", station),
        ("at >= ?", since and journal_time(since)),
        ("at <= ?", until and journal_time(until)),
    ):
        if value is not None:
            where.append(f" AND {clause}")
            params.append(value)
    last = after_id
    while True:
        rows = ledger.db.query(
            "SELECT id, station, direction, at, message_type, message_id, action, "
            f"payload FROM {JOURNAL} WHERE id > ?{''.join(where)} ORDER BY id LIMIT ?",
            (last, *params, PAGE),
        )
        yield from (render_frame(row) for row in rows)
        if len(rows) < PAGE:
            return
        last = rows[-1]["id"]


def render_frame(row: Row) -> Record:
    record: Record = {
        "record": "frame",
        "id": row["id"],
        "stationId": row["station"],
        "direction": row["direction"],
        "at": utc_text(datetime.fromisoformat(row["at"])),
        "messageType": row["message_type"],
        "messageId": row["message_id"],
        "action": row["action"],
    }
    try:
        record["frame"] = json.loads(row["payload"])
    except ValueError:  # a malformed frame is journalled as received
        record["frame"], record["raw"] = None, row["payload"]
    return record


def export(
    events: Iterable[Record] | None, frames: Iterable[Record] | None
) -> Iterator[Record]:
    """Events (in log order) and frames (in journal order) merged by time: a CALL
    comes in, its events are recorded, its answer goes out. (The events of one commit
    are not in time order among themselves; merging keeps each stream's order.)"""
    streams = [s for s in (events, frames) if s is not None]
    return heapq.merge(*streams, key=lambda r: r.get("recordedAt") or r["at"])


# -- what caused an event --------------------------------------------------------------


@dataclass(frozen=True)
class AnsweredCall:
    journal_id: int
    action: str
    message_id: str
    received_at: datetime
    answered_at: datetime


class Causes:
    """Finds the cause of each event of one aggregate's history, in order: walks the
    station's journal forward alongside (one pass, not a query per event)."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._journalled = ledger.has_table(JOURNAL)
        self._requested: dict[UUID, str] = {}
        self._calls: dict[str, Iterator[AnsweredCall]] = {}
        self._current: dict[str, AnsweredCall | None] = {}

    def of(self, event: Any, station: str | None) -> dict[str, Any] | None:
        if isinstance(event, Operation.Requested):
            self._requested[event.originator_id] = event.requested_by
        if isinstance(event, Operation.Event):
            return {
                "by": "operator",
                "requestedBy": self._requested.get(event.originator_id),
            }
        actions = CAUSED_BY.get(describe(type(event))[0])
        if not actions or station is None or not self._journalled:
            return None
        call = self._call_at(station, event.timestamp)
        if call is None or call.action not in actions:
            return None
        return {
            "by": "station",
            "action": call.action,
            "messageId": call.message_id,
            "receivedAt": utc_text(call.received_at),
            "journalId": call.journal_id,
        }

    def _call_at(self, station: str, at: datetime) -> AnsweredCall | None:
        if station not in self._calls:
            self._calls[station] = self._answered(station, at - LOOKBEHIND)
            self._current[station] = None
        current = self._current[station]
        while current is None or current.answered_at < at:
            current = self._current[station] = next(self._calls[station], None)
            if current is None:
                return None
        return current if current.received_at <= at else None

    def _answered(self, station: str, since: datetime) -> Iterator[AnsweredCall]:
        """The station's CALLs with their answers, in order (it sends one at a time)."""
        pending: dict[str, Row] = {}
        for frame in journal(self._ledger, station, since):
            kind, message_id = frame["messageType"], frame["messageId"]
            if frame["direction"] == "in" and kind == CALL:
                pending[message_id] = frame
            elif frame["direction"] == "out" and kind in (CALLRESULT, CALLERROR):
                call = pending.pop(message_id, None)
                if call is not None:
                    yield AnsweredCall(
                        call["id"],
                        call["action"],
                        message_id,
                        datetime.fromisoformat(call["at"]),
                        datetime.fromisoformat(frame["at"]),
                    )
