"""A call left open by a node that stopped is closed as failed, never re-sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import commands as c
from domain.operation import Operation
from ops.orphans import close_orphaned_operations
from tests.ledger import Ledger


def test_open_calls_older_than_the_horizon_are_closed_as_disconnected(
    database_url: str,
) -> None:
    with Ledger.open(database_url) as ledger:
        # A node recorded a Reset request, then died before the station answered.
        (requested,) = ledger.handle(
            c.RequestOperation("CP-1", "Reset", {"type": "Hard"}, "operator")
        )
        operation_id = requested.result
        # A sweep with a horizon in the past leaves it alone (it may still be live)…
        past = datetime.now(UTC) - timedelta(hours=1)
        assert close_orphaned_operations(ledger.db, ledger.writer, past) == 0
        # …one past it closes it as Disconnected, exactly once.
        later = datetime.now(UTC) + timedelta(seconds=1)
        assert close_orphaned_operations(ledger.db, ledger.writer, later) == 1
        ledger.sync()
        assert close_orphaned_operations(ledger.db, ledger.writer, later) == 0
        operation = ledger.central.repository.get(operation_id)
        assert isinstance(operation, Operation) and operation.outcome == "Disconnected"
