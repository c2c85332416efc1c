"""Tampering with stored history is evident: edited, deleted and inserted events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.storage.eventstore import eventsourcing_env
from adapters.storage.transaction_ids import PostgresTransactionIds, SqliteTransactionIds
from domain import commands as c
from domain.application import CentralSystem
from domain.station import Station
from ops.integrity import events_table, verify_integrity
from projections.database import Database, open_database


@pytest.fixture
def store(database_url: str) -> Iterator[tuple[CentralSystem, Database]]:
    db = open_database(database_url)
    ids = SqliteTransactionIds(db) if db.dialect == "sqlite" else PostgresTransactionIds(db)
    central = CentralSystem(eventsourcing_env(database_url), transaction_ids=ids)
    # A small history: a station with three status changes, a tag, a transaction.
    central.handle(c.RegisterStation("CP-1"))
    central.handle(c.UpsertIdTag("TAG-1", "Accepted"))
    for status in ("Available", "Preparing", "Charging"):
        central.handle(c.UpdateConnectorStatus("CP-1", 1, status, "NoError"))
    central.handle(c.StartTransaction("CP-1", 1, "TAG-1", 0, "2026-11-25T10:00:00Z"))
    yield central, db
    central.close()
    db.close()


def station_key(db: Database) -> object:
    uuid = Station.create_id("CP-1")
    return uuid.hex if db.dialect == "sqlite" else uuid


def test_untouched_history_verifies(store: tuple[CentralSystem, Database]) -> None:
    assert verify_integrity(store[1]) == []


def test_edited_event_is_found(store: tuple[CentralSystem, Database]) -> None:
    _, db = store
    with db.ledger.transaction() as cur:
        cur.execute(f"UPDATE {events_table(db)} SET topic = topic || '' , state = ? "
                    "WHERE originator_id = ? AND originator_version = 3",
                    (b'{"forged":1}', station_key(db)))  # fmt: skip
    (found,) = verify_integrity(db)
    assert (found.originator_id, found.version, found.problem) == (
        Station.create_id("CP-1").hex, 3, "edited")


def newest(central: CentralSystem) -> int:
    return int(central.repository.get(Station.create_id("CP-1")).version)


@pytest.mark.parametrize("which", ["middle", "newest"])
def test_deleted_event_is_found(store: tuple[CentralSystem, Database], which: str) -> None:
    central, db = store
    version = 2 if which == "middle" else newest(central)
    with db.ledger.transaction() as cur:
        cur.execute(f"DELETE FROM {events_table(db)} WHERE originator_id = ? "
                    "AND originator_version = ?", (station_key(db), version))  # fmt: skip
    (found,) = verify_integrity(db)
    assert (found.version, found.problem) == (version, "deleted")


def test_inserted_event_is_found(store: tuple[CentralSystem, Database]) -> None:
    central, db = store
    last = newest(central)
    with db.ledger.transaction() as cur:
        cur.execute(f"INSERT INTO {events_table(db)} (originator_id, originator_version, "
                    "topic, state) SELECT originator_id, ?, topic, state FROM "
                    f"{events_table(db)} WHERE originator_id = ? AND originator_version = ?",
                    (last + 1, station_key(db), last))  # fmt: skip
    (found,) = verify_integrity(db)
    assert (found.version, found.problem) == (last + 1, "inserted")
