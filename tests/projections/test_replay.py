"""Replay property: a view rebuilt from zero equals the one built live."""

from __future__ import annotations

import pytest

from domain import commands as c
from projections.catalog import PROJECTIONS, build_projections
from projections.follower import ProjectionFollower, forget
from tests.ledger import Ledger


def scenario(ledger: Ledger) -> None:
    sample = [
        {
            "timestamp": "2026-11-25T10:01:00Z",
            "sampledValue": [
                {"value": "1100"},
                {
                    "value": "7.2",
                    "measurand": "Power.Active.Import",
                    "unit": "kW",
                    "phase": "L1",
                },
            ],
        }
    ]
    # Operators register a station and two tags; an unknown station knocks twice.
    ledger.handle(
        c.RegisterStation("CP-1"),
        c.UpsertIdTag("TAG-1", "Accepted"),
        c.UpsertIdTag("TAG-2", "Blocked", "2027-01-01T00:00:00Z", "GROUP"),
        c.RegisterBoot("CP-9", "ACME", "X9"),
        c.RecordAuthenticationFailure("CP-9", "bad password"),
    )
    # The station boots, its connectors report, a transaction runs and is metered.
    ledger.handle(
        c.RegisterBoot("CP-1", "ACME", "X1", {"firmwareVersion": "1.0"}),
        c.UpdateConnectorStatus(
            "CP-1", 1, "Preparing", "NoError", timestamp="2026-11-25T10:00:00Z"
        ),
    )
    (started,) = ledger.handle(
        c.StartTransaction("CP-1", 1, "TAG-1", 1000, "2026-11-25T10:00:00Z")
    )
    number = started.result.transaction_id  # type: ignore[attr-defined]
    ledger.handle(
        c.RecordMeterValues("CP-1", 1, sample, number),
        c.RecordMeterValues("CP-1", 0, sample),
        c.StartTransaction("CP-1", 1, "TAG-2", 1500, "2026-11-25T10:30:00Z"),
    )
    # It stops, twice with different content; then a station is registered late.
    ledger.handle(
        c.StopTransaction(
            "CP-1",
            number,
            2000,
            "2026-11-25T11:00:00Z",
            reason="Remote",
            transaction_data=sample,
        ),
        c.StopTransaction("CP-1", number, 2100, "2026-11-25T11:01:00Z"),
        c.RegisterStation("CP-9"),
        c.RecordDiagnosticsStatus("CP-1", "Uploaded"),
    )
    # An operator reads and changes the configuration and availability while a new
    # transaction runs on connector 2.
    asked = ledger.handle(
        c.RequestOperation("CP-1", "GetConfiguration", {}, "op"),
        c.RequestOperation("CP-1", "ChangeConfiguration",
                           {"key": "HeartbeatInterval", "value": "60"}, "op"),
        c.RequestOperation("CP-1", "ChangeAvailability",
                           {"connectorId": 2, "type": "Inoperative"}, "op"),
        c.StartTransaction("CP-1", 2, "TAG-1", 0, "2026-11-25T12:00:00Z"),
    )  # fmt: skip
    keys = [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
    answers = [("Answered", {"configurationKey": keys}),
               ("RebootRequired", {"status": "RebootRequired"}),
               ("Scheduled", {"status": "Scheduled"})]  # fmt: skip
    ledger.handle(*(c.RecordOperationOutcome(h.result, outcome, response=answer)
                    for h, (outcome, answer) in zip(asked, answers)))  # fmt: skip


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_rebuilt_views_equal_the_live_ones(ledger: Ledger, batch_size: int) -> None:
    scenario(ledger)
    live = ledger.dump()

    # Replay rebuilds every view from zero into scratch tables, in other batch sizes.
    scratch = build_projections(prefix="scratch_")
    rebuild = ProjectionFollower(
        ledger.central, ledger.db, scratch, batch_size=batch_size
    )
    assert rebuild.catch_up() == ledger.central.recorder.max_notification_id()

    # The same rows come out; then the scratch views are dropped again.
    assert ledger.dump(prefix="scratch_") == live
    assert {row["table"] for row in live} == {t.name for p in scratch for t in p.tables}
    forget(ledger.db, scratch)
    assert set(ledger.follower.positions()) == set(PROJECTIONS)
    assert ledger.db.query("SELECT name FROM projection_tracking ORDER BY name") == [
        {"name": name} for name in sorted(PROJECTIONS)
    ]
