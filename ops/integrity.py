"""`chargeledger verify --integrity`: recompute every aggregate's hash chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from adapters.storage.integrity import Break, check_chains
from projections.database import Database

PAGE = 5000


def events_table(db: Database) -> str:
    return "stored_events" if db.dialect == "sqlite" else "centralsystem_events"


def _events(db: Database) -> Iterator[tuple[str, int, str, bytes]]:
    """Stored events ordered by (aggregate, version), a page at a time."""
    last_id: Any = "" if db.dialect == "sqlite" else UUID(int=0)
    last_version = 0
    while True:
        rows = db.query(
            "SELECT originator_id, originator_version, topic, state "
            f"FROM {events_table(db)} WHERE (originator_id, originator_version) > (?, ?) "
            "ORDER BY originator_id, originator_version LIMIT ?",
            (last_id, last_version, PAGE),
        )
        for row in rows:
            originator = row["originator_id"]
            key = originator.hex if isinstance(originator, UUID) else str(originator)
            yield key, row["originator_version"], row["topic"], bytes(row["state"])
        if len(rows) < PAGE:
            return
        last_id, last_version = rows[-1]["originator_id"], rows[-1]["originator_version"]


def verify_integrity(db: Database) -> list[Break]:
    links = {
        (r["originator_id"], r["originator_version"]): r["link"]
        for r in db.query("SELECT originator_id, originator_version, link "
                          "FROM chargeledger_event_hashes")  # fmt: skip
    }
    heads = {
        r["originator_id"]: (r["originator_version"], r["link"])
        for r in db.query("SELECT originator_id, originator_version, link "
                          "FROM chargeledger_heads")  # fmt: skip
    }
    return check_chains(_events(db), links, heads)
