"""Operator calls and what the CSMS learnt from them: the operations history, each
station's configuration as reported, and connector availability (with Scheduled)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from domain.operation import Operation
from domain.station import Station
from projections.base import IN_CHUNK, Events, SqlProjection, Table, topics, utc_text
from projections.database import Cursor, Row
from projections.operations_state import (
    Batch,
    learn,
    rebooted,
    station_uuid,
    transaction_ended,
)

OPERATIONS = Table(
    "operations_v1",
    (
        ("uuid", "TEXT NOT NULL"),  # the operationId
        ("position", "BIGINT NOT NULL"),  # newest first = highest position first
        ("station_id", "TEXT NOT NULL"),
        ("action", "TEXT NOT NULL"),
        ("arguments", "TEXT NOT NULL"),
        ("requested_by", "TEXT NOT NULL"),
        ("requested_at", "TEXT NOT NULL"),
        ("completed_at", "TEXT"),
        ("outcome", "TEXT"),
        ("error_code", "TEXT"),
        ("error_description", "TEXT"),
        ("response", "TEXT"),
    ),
    key=("uuid",),
    unique=(("position",),),
    indexes=(("station_id", "position"),),
)
CONFIGURATION = Table(
    "operations_v1_configuration",
    (
        ("station_uuid", "TEXT NOT NULL"),
        ("key", "TEXT NOT NULL"),
        ("station_id", "TEXT NOT NULL"),
        ("value", "TEXT"),
        ("readonly", "INTEGER"),  # NULL: only ever changed, never read back
        ("reboot_required", "INTEGER NOT NULL"),
        ("updated_at", "TEXT NOT NULL"),
    ),
    key=("station_uuid", "key"),
    indexes=(("station_id", "key"),),
)
AVAILABILITY = Table(
    "operations_v1_availability",
    (
        ("station_uuid", "TEXT NOT NULL"),
        ("connector_id", "INTEGER NOT NULL"),
        ("station_id", "TEXT NOT NULL"),
        ("availability", "TEXT"),  # Operative | Inoperative, as last accepted
        ("scheduled", "TEXT"),  # pending until the running transaction ends
        ("updated_at", "TEXT NOT NULL"),
    ),
    key=("station_uuid", "connector_id"),
    indexes=(("station_id", "connector_id"),),
)
# Connectors with a running transaction: when a Scheduled change may take effect.
OCCUPIED = Table(
    "operations_v1_occupied",
    (("station_uuid", "TEXT NOT NULL"), ("connector_id", "INTEGER NOT NULL")),
    key=("station_uuid", "connector_id"),
)
CONFIG_ACTIONS = ("GetConfiguration", "ChangeConfiguration")


class OperationsProjection(SqlProjection):
    """Every CSMS-initiated call with its outcome, and the state its answers reveal."""

    name = "operations_v1"
    tables = (OPERATIONS, CONFIGURATION, AVAILABILITY, OCCUPIED)
    apply_cost = 0.3
    topics = topics(
        Operation.Requested,
        Operation.Completed,
        Station.BootNotified,
        Station.ConnectorOccupied,
        Station.ConnectorReleased,
    )

    def apply(self, cur: Cursor, events: Events) -> None:
        batch = self._load(cur, events)
        for position, event in events:
            if isinstance(event, Operation.Requested):
                batch.ops[str(event.originator_id)] = _requested(position, event)
            elif isinstance(event, Operation.Completed):
                op = batch.ops[str(event.originator_id)]
                _completed(op, event)
                learn(batch, op, event)
            elif isinstance(event, Station.ConnectorOccupied):
                batch.occupied.add((str(event.originator_id), event.connector_id))
            elif isinstance(event, Station.ConnectorReleased):
                batch.occupied.discard((str(event.originator_id), event.connector_id))
                transaction_ended(batch, event)
            elif isinstance(event, Station.BootNotified):
                rebooted(batch, str(event.originator_id))
        self._save(cur, batch)

    def _load(self, cur: Cursor, events: Events) -> Batch:
        """Only the rows the batch needs: a busy station's transactions load no
        configuration, its boots no availability."""
        batch = Batch()
        batch.ops = self.load(cur, OPERATIONS, _of(events, Operation.Completed))
        asked = [
            (r["action"], station_uuid(r["station_id"])) for r in batch.ops.values()
        ]
        asked += [
            (e.action, station_uuid(e.charge_point_id))
            for _, e in events
            if isinstance(e, Operation.Requested)
        ]
        config = {s for a, s in asked if a in CONFIG_ACTIONS} | _of(
            events, Station.BootNotified
        )
        ended = _of(events, Station.ConnectorReleased)
        availability = {s for a, s in asked if a == "ChangeAvailability"} | ended
        for row in self._rows(cur, CONFIGURATION, config):
            batch.config[(row["station_uuid"], row["key"])] = row
        for row in self._rows(cur, AVAILABILITY, availability):
            batch.availability[(row["station_uuid"], row["connector_id"])] = row
        occupancy = ended | _of(events, Station.ConnectorOccupied)
        batch.occupied = {
            (r["station_uuid"], r["connector_id"])
            for r in self._rows(cur, OCCUPIED, occupancy)
        }
        batch.occupied_before = set(batch.occupied)
        return batch

    def _rows(self, cur: Cursor, table: Table, stations: Iterable[str]) -> list[Row]:
        wanted, found = sorted(stations), []
        select = (
            f"SELECT {', '.join(table.column_names)} FROM {self.prefix}{table.name}"
        )
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i : i + IN_CHUNK]
            cur.execute(
                f"{select} WHERE station_uuid IN ({', '.join('?' * len(chunk))})", chunk
            )
            found.extend(cur.fetchall())
        return found

    def _save(self, cur: Cursor, batch: Batch) -> None:
        self.write(cur, OPERATIONS, [batch.ops[k] for k in sorted(batch.ops)])
        gone = sorted(batch.config_gone - batch.config.keys())
        if gone:
            cur.executemany(
                f"DELETE FROM {self.prefix}{CONFIGURATION.name} "
                "WHERE station_uuid = ? AND key = ?",
                gone,
            )
        changed = sorted(batch.config_changed & batch.config.keys())
        self.write(cur, CONFIGURATION, [batch.config[k] for k in changed])
        changed_ = sorted(batch.availability_changed)
        self.write(cur, AVAILABILITY, [batch.availability[k] for k in changed_])
        released = sorted(batch.occupied_before - batch.occupied)
        if released:
            cur.executemany(
                f"DELETE FROM {self.prefix}{OCCUPIED.name} "
                "WHERE station_uuid = ? AND connector_id = ?",
                released,
            )
        occupied = [
            {"station_uuid": s, "connector_id": c}
            for s, c in sorted(batch.occupied - batch.occupied_before)
        ]
        self.write(cur, OCCUPIED, occupied, upsert=False)


def _requested(position: int, event: Operation.Requested) -> Row:
    return {
        "uuid": str(event.originator_id),
        "position": position,
        "station_id": event.charge_point_id,
        "action": event.action,
        "arguments": _json(event.arguments),
        "requested_by": event.requested_by,
        "requested_at": utc_text(event.timestamp),
        "completed_at": None,
        "outcome": None,
        "error_code": None,
        "error_description": None,
        "response": None,
    }


def _completed(op: Row, event: Operation.Completed) -> None:
    op.update(
        completed_at=utc_text(event.timestamp),
        outcome=event.outcome,
        error_code=event.error_code,
        error_description=event.error_description,
        response=_json(event.response) if event.response is not None else None,
    )


def _of(events: Events, kind: type[Any]) -> set[str]:
    return {str(e.originator_id) for _, e in events if isinstance(e, kind)}


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
