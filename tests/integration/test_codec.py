"""The orjson mapper writes what eventsourcing's own mapper writes, for every event a
realistic session produces (so old and new rows read back the same way)."""

from __future__ import annotations

from eventsourcing.persistence import Mapper

from adapters.storage.codec import LedgerMapper
from domain import commands as c
from domain.id_tag import IdTag
from domain.snapshots import PortableSnapshot
from tests.ledger import Ledger

SAMPLE = [{"value": "12.5", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]


def test_every_event_of_a_session_is_stored_as_the_stdlib_mapper_would(
    sqlite_url: str,
) -> None:
    with Ledger.open(sqlite_url) as ledger:
        central = ledger.central
        assert isinstance(central.mapper, LedgerMapper)
        ledger.handle(
            c.RegisterStation("CP-1"), c.UpsertIdTag("TAG", "Accepted"),
            c.RegisterBoot("CP-1", "ACME", "X1", {"firmwareVersion": "1.0 ü"}),
            c.UpdateConnectorStatus("CP-1", 1, "Preparing", "NoError", "2026-11-25T10:00:00Z"),
        )  # fmt: skip
        (start,) = ledger.handle(
            c.StartTransaction("CP-1", 1, "TAG", 100, "2026-11-25T10:00:01Z")
        )
        number = start.result.transaction_id  # type: ignore[union-attr]
        ledger.handle(
            c.RecordMeterValues("CP-1", 1, [{"timestamp": "2026-11-25T10:01:00Z",
                                             "sampledValue": SAMPLE}], number),
            c.StopTransaction("CP-1", number, 2500, "2026-11-25T10:30:00Z", reason="Local"),
        )  # fmt: skip
        events = [
            central.mapper.to_domain_event(n)
            for n in central.recorder.select_notifications(1, 1000)
        ]
        assert len({type(e) for e in events}) >= 8
        for event in events:
            fast = central.mapper.to_stored_event(event)
            assert fast.state == Mapper.to_stored_event(central.mapper, event).state
            assert central.mapper.to_domain_event(fast) == event


def test_snapshots_keep_the_stdlib_path(sqlite_url: str) -> None:
    """A tag's snapshot holds its open transactions: UUIDs inside a list, which
    orjson alone would write as bare strings."""
    with Ledger.open(sqlite_url) as ledger:
        ledger.handle(c.RegisterStation("CP-1"), c.UpsertIdTag("TAG", "Accepted"),
                      c.StartTransaction("CP-1", 1, "TAG", 0, "2026-11-25T10:00:01Z"))
        tag = ledger.central.repository.get(IdTag.create_id("TAG"))
        assert tag.active
        snapshot = PortableSnapshot.take(tag)
        stored = ledger.central.mapper.to_stored_event(snapshot)
        assert stored.state == Mapper.to_stored_event(ledger.central.mapper, snapshot).state
        assert ledger.central.mapper.to_domain_event(stored).mutate(None).active == tag.active
