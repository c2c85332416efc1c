"""A batch naming many stations the writer does not hold reads them together; they
must be the stations the repository would load one by one (snapshots included)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from domain import commands as c
from domain.application import CentralSystem
from domain.snapshots import SNAPSHOT_INTERVAL
from domain.station import Station
from ops.store import open_central
from ops.settings import Settings
from projections.database import open_database

STATIONS = 6


@contextmanager
def loads_one_by_one(central: CentralSystem) -> Iterator[list[object]]:
    """The aggregates loaded through the repository (one read each) meanwhile."""
    loaded: list[object] = []
    get = central.repository.get
    central.repository.get = lambda *a, **k: loaded.append(a) or get(*a, **k)  # type: ignore[method-assign]
    try:
        yield loaded
    finally:
        central.repository.get = get  # type: ignore[method-assign]


def _status(station: str, minute: int) -> c.UpdateConnectorStatus:
    status = "Charging" if minute % 2 else "Available"
    return c.UpdateConnectorStatus(station, 1, status, "NoError",
                                   f"2026-11-25T10:{minute // 60:02d}:{minute % 60:02d}Z")  # fmt: skip


def test_a_batch_of_cold_stations_is_loaded_as_the_repository_would(database_url: str) -> None:
    names = [f"CP-{i}" for i in range(STATIONS)]
    db = open_database(database_url)
    central = open_central(Settings(database=database_url), db)
    central.handle_batch([c.RegisterStation(n) for n in names], optimistic=False)
    central.handle_batch([c.RegisterBoot(n, "ACME", "X1") for n in names])
    for minute in range(SNAPSHOT_INTERVAL + 20):  # CP-0 passes a snapshot
        central.handle_batch([_status("CP-0", minute)] + ([_status("CP-1", minute)] if minute < 5 else []))
    central.close()

    fresh = open_central(Settings(database=database_url), db)
    try:
        with loads_one_by_one(fresh) as one_by_one:
            outcomes = fresh.handle_batch([c.RecordDiagnosticsStatus(n, "Idle") for n in names])
        assert all(not isinstance(o, BaseException) for o in outcomes)
        assert one_by_one == []  # all read together
        for name in names:
            key = Station.create_id(name)
            cached = fresh.cache.take(key)
            assert cached is not None
            loaded = fresh.repository.get(key)
            assert vars(cached).keys() == vars(loaded).keys()
            assert cached.version == loaded.version
            assert cached.connectors == loaded.connectors
            assert cached.registered and cached.recent.as_list() == loaded.recent.as_list()
        assert fresh.snapshots is not None
        assert fresh.snapshots.get(Station.create_id("CP-0"))  # the snapshot path ran
    finally:
        fresh.close()
        db.close()


def test_stations_read_together_and_not_found_are_created_without_more_reads(
    database_url: str,
) -> None:
    db = open_database(database_url)
    central = open_central(Settings(database=database_url), db)
    try:
        with loads_one_by_one(central) as one_by_one:
            outcomes = central.handle_batch([c.RegisterBoot(f"NEW-{i}", "ACME", "X1")
                                             for i in range(STATIONS)])  # fmt: skip
        answer = central.policy.unknown_station_answer
        assert [o.result.status for o in outcomes] == [answer] * STATIONS  # type: ignore[union-attr]
        assert one_by_one == []
        assert all(central.find_station(f"NEW-{i}") for i in range(STATIONS))
    finally:
        central.close()
        db.close()
