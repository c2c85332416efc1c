"""Transactions view: one row per charging session, its meter values in order."""

from __future__ import annotations

from typing import Any

from domain.transaction import Transaction
from projections.base import (
    Events,
    SqlProjection,
    Table,
    meter_value_rows,
    topics,
    utc_text,
)
from projections.database import Cursor, Row

TRANSACTIONS = Table(
    "transactions_v1",
    (
        ("transaction_id", "BIGINT NOT NULL"),
        ("uuid", "TEXT NOT NULL"),
        ("station_id", "TEXT NOT NULL"),
        ("connector_id", "INTEGER NOT NULL"),
        ("id_tag", "TEXT NOT NULL"),
        ("id_tag_key", "TEXT NOT NULL"),  # casefolded: id tags compare that way
        ("authorization_status", "TEXT NOT NULL"),
        ("reservation_id", "BIGINT"),
        ("meter_start", "BIGINT NOT NULL"),
        ("started_at", "TEXT NOT NULL"),
        ("started_at_raw", "TEXT"),
        ("meter_stop", "BIGINT"),
        ("energy_wh", "BIGINT"),
        ("stopped_at", "TEXT"),
        ("stopped_at_raw", "TEXT"),
        ("stop_reason", "TEXT"),
        ("stop_id_tag", "TEXT"),
        ("stop_conflicts", "INTEGER NOT NULL"),
        ("closed_as_stale", "INTEGER NOT NULL"),
        ("superseded_by", "BIGINT"),
        ("recorded_at", "TEXT NOT NULL"),
    ),
    key=("transaction_id",),
    unique=(("uuid",),),
    indexes=(
        ("station_id", "transaction_id"),
        ("id_tag_key", "transaction_id"),
        ("started_at",),
    ),
)
METER_VALUES = Table(
    "transactions_v1_meter_values",
    (
        ("transaction_id", "BIGINT NOT NULL"),
        ("position", "BIGINT NOT NULL"),
        ("idx", "INTEGER NOT NULL"),
        ("source", "TEXT NOT NULL"),  # MeterValues | StopTransaction
        ("timestamp", "TEXT"),
        ("timestamp_raw", "TEXT"),
        ("sampled_values", "TEXT NOT NULL"),
    ),
    key=("transaction_id", "position", "idx"),
)


class TransactionsProjection(SqlProjection):
    """Charging sessions as started, metered and stopped (or closed as stale)."""

    name = "transactions_v1"
    tables = (TRANSACTIONS, METER_VALUES)
    by_aggregate = True  # a session's row and meter values are its own events'
    apply_cost = 2.6  # meter values: a row each, sampled values as JSON
    topics = topics(
        Transaction.Started,
        Transaction.MeterValuesRecorded,
        Transaction.Stopped,
        Transaction.StopConflicted,
        Transaction.ClosedAsStale,
    )

    def apply(self, cur: Cursor, events: Events) -> None:
        known = {str(e.originator_id) for _, e in events}
        rows = self.load(cur, TRANSACTIONS, known)
        touched: set[str] = set()
        meter_values: list[Row] = []
        for position, event in events:
            key = str(event.originator_id)
            touched.add(key)
            if isinstance(event, Transaction.Started):
                rows[key] = _started(event)
            elif isinstance(event, Transaction.MeterValuesRecorded):
                meter_values += _meter_values(
                    rows[key], position, "MeterValues", event.meter_value
                )
            elif isinstance(event, Transaction.Stopped):
                _stopped(rows[key], event)
                meter_values += _meter_values(
                    rows[key], position, "StopTransaction", event.transaction_data
                )
            elif isinstance(event, Transaction.StopConflicted):
                rows[key]["stop_conflicts"] += 1
            elif isinstance(event, Transaction.ClosedAsStale):
                rows[key].update(closed_as_stale=1, superseded_by=event.superseded_by)
        changed = sorted(
            (rows[key] for key in touched), key=lambda r: r["transaction_id"]
        )
        self.write(cur, TRANSACTIONS, changed)
        self.write(cur, METER_VALUES, meter_values)


def _started(event: Transaction.Started) -> Row:
    return {
        "transaction_id": event.transaction_id,
        "uuid": str(event.originator_id),
        "station_id": event.charge_point_id,
        "connector_id": event.connector_id,
        "id_tag": event.id_tag,
        "id_tag_key": event.id_tag.casefold(),
        "authorization_status": event.authorization,
        "reservation_id": event.reservation_id,
        "meter_start": event.meter_start,
        "started_at": utc_text(event.started_at),
        "started_at_raw": event.started_at_raw,
        "meter_stop": None,
        "energy_wh": None,
        "stopped_at": None,
        "stopped_at_raw": None,
        "stop_reason": None,
        "stop_id_tag": None,
        "stop_conflicts": 0,
        "closed_as_stale": 0,
        "superseded_by": None,
        "recorded_at": utc_text(event.timestamp),
    }


def _stopped(row: Row, event: Transaction.Stopped) -> None:
    row.update(
        meter_stop=event.meter_stop,
        energy_wh=event.energy_wh,
        stopped_at=utc_text(event.stopped_at),
        stopped_at_raw=event.stopped_at_raw,
        stop_reason=event.reason,
        stop_id_tag=event.id_tag,
    )


def _meter_values(
    row: Row, position: int, source: str, meter_value: list[dict[str, Any]]
) -> list[Row]:
    return [
        {
            "transaction_id": row["transaction_id"],
            "position": position,
            "idx": idx,
            "source": source,
            "timestamp": at,
            "timestamp_raw": raw,
            "sampled_values": sampled,
        }
        for idx, (at, raw, sampled) in enumerate(meter_value_rows(meter_value))
    ]
