"""What the station's answers to operator calls reveal: its configuration (Spec §5.3,
§5.8) and connector availability (Spec §5.2), kept by OperationsProjection."""

from __future__ import annotations

from typing import Any

import orjson

from domain.operation import Operation
from domain.station import Station
from projections.base import utc_text
from projections.database import Row


class Batch:
    """The rows one batch touches, loaded once, changed in memory, written back."""

    def __init__(self) -> None:
        self.ops: dict[str, Row] = {}
        self.config: dict[tuple[str, str], Row] = {}
        self.config_changed: set[tuple[str, str]] = set()
        self.config_gone: set[tuple[str, str]] = set()
        self.availability: dict[tuple[str, int], Row] = {}
        self.availability_changed: set[tuple[str, int]] = set()
        self.occupied: set[tuple[str, int]] = set()
        self.occupied_before: set[tuple[str, int]] = set()


def learn(batch: Batch, op: Row, event: Operation.Completed) -> None:
    """What an answer tells us about the station (Spec §5.2, §5.3, §5.8)."""
    arguments: dict[str, Any] = orjson.loads(op["arguments"])
    at = utc_text(event.timestamp)
    if op["action"] == "GetConfiguration" and event.response is not None:
        _configuration_read(batch, op["station_id"], arguments, event.response, at)
    elif op["action"] == "ChangeConfiguration" and event.outcome in (
        "Accepted",
        "RebootRequired",
    ):
        key = (station_uuid(op["station_id"]), arguments["key"])
        row = batch.config.get(key) or _config_row(op["station_id"], arguments["key"])
        # AuthorizationKey is write-only (EJ §3.10): never keep its value.
        value = None if arguments["key"] == "AuthorizationKey" else arguments["value"]
        row.update(
            value=value,
            updated_at=at,
            reboot_required=int(event.outcome == "RebootRequired"),
        )
        batch.config[key] = row
        batch.config_changed.add(key)
    elif op["action"] == "ChangeAvailability" and event.outcome in (
        "Accepted",
        "Scheduled",
    ):
        _availability_changed(batch, op["station_id"], arguments, event.outcome, at)


def _configuration_read(
    batch: Batch,
    station: str,
    arguments: dict[str, Any],
    answer: dict[str, Any],
    at: str | None,
) -> None:
    # Spec §5.8: no key asked = every key answered, so keys left out are gone;
    # keys asked for and reported unknown are gone as well.
    uuid = station_uuid(station)
    gone = {(uuid, unknown) for unknown in answer.get("unknownKey", [])}
    if not arguments.get("key"):
        gone |= {k for k in batch.config if k[0] == uuid}
    previous = {k: batch.config.pop(k) for k in gone if k in batch.config}
    batch.config_gone |= gone
    for item in answer.get("configurationKey", []):
        key = (uuid, item["key"])
        row = previous.get(key) or batch.config.get(key) or _config_row(station, key[1])
        row.update(
            value=item.get("value"), readonly=int(bool(item["readonly"])), updated_at=at
        )
        batch.config[key] = row
        batch.config_changed.add(key)


def _availability_changed(
    batch: Batch, station: str, arguments: dict[str, Any], outcome: str, at: str | None
) -> None:
    key = (station_uuid(station), int(arguments["connectorId"]))
    row = batch.availability.get(key) or {
        "station_uuid": key[0],
        "connector_id": key[1],
        "station_id": station,
        "availability": None,
        "scheduled": None,
        "updated_at": at,
    }
    if outcome == "Accepted":
        row.update(availability=arguments["type"], scheduled=None, updated_at=at)
    else:
        row.update(scheduled=arguments["type"], updated_at=at)
    batch.availability[key] = row
    batch.availability_changed.add(key)


def transaction_ended(batch: Batch, event: Station.ConnectorReleased) -> None:
    # Spec §5.2: a Scheduled change takes effect when the running transaction ends;
    # one for connector 0 (the whole station) when its last transaction ends.
    station = str(event.originator_id)
    connectors = [event.connector_id]
    whole = batch.availability.get((station, 0))
    # Whether the station is idle is a scan: asked only when the whole station has
    # a change pending.
    if whole is not None and whole["scheduled"] is not None:
        if not any(s == station for s, _ in batch.occupied):
            connectors.append(0)
    for connector in connectors:
        row = batch.availability.get((station, connector))
        if row is not None and row["scheduled"] is not None:
            row.update(
                availability=row["scheduled"],
                scheduled=None,
                updated_at=utc_text(event.timestamp),
            )
            batch.availability_changed.add((station, connector))


def rebooted(batch: Batch, uuid: str) -> None:
    # Spec §5.3: a RebootRequired change is in effect once the station has rebooted.
    for key, row in batch.config.items():
        if key[0] == uuid and row["reboot_required"]:
            row["reboot_required"] = 0
            batch.config_changed.add(key)


def _config_row(station: str, key: str) -> Row:
    return {
        "station_uuid": station_uuid(station),
        "key": key,
        "station_id": station,
        "value": None,
        "readonly": None,
        "reboot_required": 0,
        "updated_at": None,
    }


def station_uuid(charge_point_id: str) -> str:
    return str(Station.create_id(charge_point_id))
