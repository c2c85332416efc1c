"""SQLite: the read models' file holds nothing the ledger does not."""

from __future__ import annotations

from pathlib import Path

from domain import commands as c
from projections.database import views_path
from tests.ledger import Ledger


def test_a_deleted_views_file_is_rebuilt_from_the_ledger(sqlite_url: str) -> None:
    with Ledger.open(sqlite_url) as ledger:
        ledger.handle(
            c.RegisterStation("CP-1"), c.UpsertIdTag("TAG", "Accepted"),
            c.RegisterBoot("CP-1", "ACME", "X1"),
            c.StartTransaction("CP-1", 1, "TAG", 10, "2026-11-25T10:00:00Z"),
        )  # fmt: skip
        before = ledger.dump()
    assert any(row["table"] == "transactions_v1" for row in before)
    for path in Path(sqlite_url).parent.glob(Path(views_path(sqlite_url)).name + "*"):
        path.unlink()

    with Ledger.open(sqlite_url) as ledger:
        ledger.sync()
        assert ledger.dump() == before
