"""Long streams load from a snapshot and come back exactly as they were."""

from __future__ import annotations

from uuid import UUID

from adapters.storage.eventstore import eventsourcing_env
from adapters.storage.transaction_ids import SqliteTransactionIds
from domain import commands as c
from domain.application import CentralSystem
from domain.id_tag import IdTag
from domain.snapshots import SNAPSHOT_INTERVAL
from domain.station import Station
from projections.database import open_database


def test_station_and_tag_reload_from_snapshots_unchanged(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    central = CentralSystem(eventsourcing_env(sqlite_url),
                            transaction_ids=SqliteTransactionIds(db))  # fmt: skip
    central.handle(c.RegisterStation("CP-1"))
    central.handle(c.UpsertIdTag("TAG", "Accepted"))
    # Enough sessions to pass the snapshot interval of the station and the tag.
    for minute in range(SNAPSHOT_INTERVAL // 2 + 5):
        stamp = f"2026-11-25T10:{minute // 60:02d}:{minute % 60:02d}Z"
        started = central.handle(c.StartTransaction("CP-1", 2, "TAG", minute, stamp))
        central.handle(c.UpdateConnectorStatus("CP-1", 2, "Charging", "NoError", stamp))
        if minute % 2:  # leave every other one open: the station must remember it
            central.handle(c.StopTransaction("CP-1", started.result.transaction_id,
                                             minute + 1, stamp))  # fmt: skip
    live_station = central.repository.get(Station.create_id("CP-1"))
    live_tag = central.repository.get(IdTag.create_id("TAG"))
    assert central.snapshots is not None
    assert central.snapshots.get(Station.create_id("CP-1"))  # one was taken
    # A new process: nothing cached, the aggregates come from snapshot + newer events.
    fresh = CentralSystem(eventsourcing_env(sqlite_url))
    station = fresh.repository.get(Station.create_id("CP-1"))
    tag = fresh.repository.get(IdTag.create_id("TAG"))
    assert station.version == live_station.version
    assert station.connectors == live_station.connectors
    assert station.occupied == live_station.occupied
    assert station.recent.as_list() == live_station.recent.as_list()
    assert tag.active == live_tag.active
    central.close()
    fresh.close()
    db.close()


def tag_at_the_snapshot_interval(central: CentralSystem) -> UUID:
    """A tag one event short of a snapshot, then the update that makes it due."""
    central.handle(c.UpsertIdTag("TAG", "Accepted"))  # Issued, Updated
    statuses = ("Blocked", "Accepted")
    for i in range(SNAPSHOT_INTERVAL - 3):
        central.handle(c.UpsertIdTag("TAG", statuses[i % 2]))
    tag_id = IdTag.create_id("TAG")
    assert central.repository.get(tag_id).version == SNAPSHOT_INTERVAL - 1
    assert central.snapshots is not None and not list(central.snapshots.get(tag_id))
    return tag_id


def test_a_snapshot_is_stored_with_the_events_it_follows(database_url: str) -> None:
    central = CentralSystem(eventsourcing_env(database_url))
    try:
        tag_id = tag_at_the_snapshot_interval(central)
        central.handle(c.UpsertIdTag("TAG", "Expired"))
        assert central.snapshots is not None
        (snapshot,) = list(central.snapshots.get(tag_id))
        assert snapshot.originator_version == SNAPSHOT_INTERVAL
        fresh = CentralSystem(eventsourcing_env(database_url, create_table=False))
        try:
            tag = fresh.repository.get(tag_id)
            assert (tag.version, tag.status) == (SNAPSHOT_INTERVAL, "Expired")
        finally:
            fresh.close()
    finally:
        central.close()


def test_a_snapshot_costs_no_commit_of_its_own(sqlite_url: str) -> None:
    """A put of its own was a second commit and fsync inside a station's answer."""
    central = CentralSystem(eventsourcing_env(sqlite_url))
    try:
        tag_at_the_snapshot_interval(central)
        statements: list[str] = []
        pool = central.factory.datastore.pool  # type: ignore[attr-defined]
        for connection in pool._pool:  # every connection the store keeps open
            connection._sqlite_conn.set_trace_callback(statements.append)
        central.handle(c.UpsertIdTag("TAG", "Expired"))
        assert statements.count("COMMIT") == 1
        assert any("stored_snapshots" in s for s in statements)
    finally:
        central.close()
