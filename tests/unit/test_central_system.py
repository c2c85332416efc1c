"""High-gear tests: commands through CentralSystem.handle on the in-memory store."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.application import CentralSystem
from domain.exceptions import StationNotAcceptedError
from domain.policy import Policy
from domain.station import Station
from domain.transaction import Transaction
from tests.fakes import FixedClock, InMemoryTransactionIds

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.fixture
def central() -> CentralSystem:
    app = CentralSystem(POPO, transaction_ids=InMemoryTransactionIds(), clock=FixedClock())
    app.handle(c.RegisterStation("CP-1"))
    app.handle(c.UpsertIdTag("TAG-1", "Accepted"))
    return app


def start(central: CentralSystem, connector: int = 1, tag: str = "TAG-1",
          ts: str = "2026-11-25T11:00:00Z", meter: int = 100):  # type: ignore[no-untyped-def]
    return central.handle(c.StartTransaction("CP-1", connector, tag, meter, ts)).result


def test_registered_station_boot_is_accepted(central: CentralSystem) -> None:
    result = central.handle(c.RegisterBoot("CP-1", "ACME", "X1")).result
    assert result.status == "Accepted"
    assert result.interval == 300


def test_unknown_station_is_rejected_by_default_and_recorded(central: CentralSystem) -> None:
    result = central.handle(c.RegisterBoot("CP-9", "ACME", "X1")).result
    assert result.status == "Rejected"
    station = central.find_station("CP-9")
    assert station is not None and not station.accepted


def test_unknown_station_accepted_by_policy_stays_accepted() -> None:
    app = CentralSystem(POPO, transaction_ids=InMemoryTransactionIds(),
                        policy=Policy(unknown_stations="accept"))
    assert app.handle(c.RegisterBoot("CP-7", "A", "B")).result.status == "Accepted"
    app.handle(c.UpdateConnectorStatus("CP-7", 1, "Available", "NoError"))


def test_not_accepted_station_gets_no_transaction_service(central: CentralSystem) -> None:
    central.handle(c.RegisterBoot("CP-9", "ACME", "X1"))
    with pytest.raises(StationNotAcceptedError):
        central.handle(c.StartTransaction("CP-9", 1, "TAG-1", 0, "2026-11-25T11:00:00Z"))


def test_resent_start_transaction_returns_same_id_and_creates_nothing(
    central: CentralSystem,
) -> None:
    first = start(central)
    before = central.recorder.max_notification_id()
    again = start(central, ts="2026-11-25T11:00:00.000Z")  # same instant, other spelling
    assert again == first
    assert central.recorder.max_notification_id() == before


def test_concurrent_tx_only_on_start_on_another_connector(central: CentralSystem) -> None:
    assert start(central, connector=1).id_tag_info.status == "Accepted"
    second = start(central, connector=2, ts="2026-11-25T11:05:00Z")
    assert second.id_tag_info.status == "ConcurrentTx"
    assert second.transaction_id > 0
    assert central.authorize("tag-1").status == "Accepted"


def test_start_on_occupied_connector_closes_the_stale_transaction(
    central: CentralSystem,
) -> None:
    first = start(central)
    second = start(central, ts="2026-11-25T11:30:00Z", meter=500)
    assert second.id_tag_info.status == "Accepted"
    number = central.repository.get(Station.create_id("CP-1")).occupied[1]
    tx = central.repository.get(number)
    assert isinstance(tx, Transaction) and tx.transaction_id == second.transaction_id
    assert first.transaction_id != second.transaction_id


def test_stop_computes_energy_and_second_stop_changes_nothing(
    central: CentralSystem,
) -> None:
    tx_id = start(central).transaction_id
    stop = c.StopTransaction("CP-1", tx_id, 1600, "2026-11-25T11:40:00Z", "TAG-1", "Local")
    central.handle(stop)
    after_first = central.recorder.max_notification_id()
    central.handle(stop)
    assert central.recorder.max_notification_id() == after_first
    assert start(central, ts="2026-11-25T12:00:00Z").id_tag_info.status == "Accepted"


def test_unknown_stop_is_answered_and_recorded(central: CentralSystem) -> None:
    before = central.recorder.max_notification_id()
    result = central.handle(c.StopTransaction("CP-1", -1, 10, "2026-11-25T11:40:00Z"))
    assert result.result.id_tag_info is None
    assert central.recorder.max_notification_id() == before + 1


def test_invalid_tag_still_gets_a_transaction_id(central: CentralSystem) -> None:
    result = start(central, tag="NOPE")
    assert result.id_tag_info.status == "Invalid"
    assert result.transaction_id >= 1


def test_expired_tag(central: CentralSystem) -> None:
    central.handle(c.UpsertIdTag("OLD", "Accepted", expiry_date="2020-01-01T00:00:00Z"))
    assert central.authorize("OLD").status == "Expired"
