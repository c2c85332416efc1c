"""Long streams load from a snapshot and come back exactly as they were."""

from __future__ import annotations

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
