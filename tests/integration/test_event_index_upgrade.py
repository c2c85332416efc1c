"""A deployment whose views hold the previous event index (v1) upgrades on start."""

from __future__ import annotations

from dataclasses import replace

from ops.replay import verify
from projections.database import Cursor
from projections.event_index import (
    AGGREGATE_FACTS,
    EVENTS,
    MINUTES,
    EventIndexProjection,
)
from projections.history_log import EventFilter, EventLog
from projections.history_store import History
from tests.ledger import Ledger
from tests.projections.test_replay import scenario

# The tables as v1 made them: a BIGINT key beside SQLite's rowid, full indexes.
V1 = [
    replace(t, name=t.name.replace("_v2", "_v1"), rowid=False, sparse=())
    for t in (EVENTS, MINUTES, AGGREGATE_FACTS)
]


def as_before_the_upgrade(cur: Cursor) -> None:
    """The views as the previous version left them: the same rows, under v1."""
    for old, new in zip(V1, (EVENTS, MINUTES, AGGREGATE_FACTS), strict=True):
        for statement in old.ddl("", dialect=cur.dialect):
            cur.execute(statement)
        columns = ", ".join(new.column_names)
        cur.execute(f"INSERT INTO {old.name} ({columns}) SELECT {columns} "
                    f"FROM {new.name}")  # fmt: skip
    EventIndexProjection().drop_tables(cur)
    cur.execute(
        "UPDATE projection_tracking SET name = 'event_index_v1' WHERE name = ?",
        (EventIndexProjection.name,),
    )


def test_the_new_event_index_is_built_from_the_ledger_at_start(
    database_url: str,
) -> None:
    # The previous version recorded a day's events and indexed them as v1.
    with Ledger.open(database_url) as ledger:
        scenario(ledger)
        live = ledger.dump()
        with ledger.db.transaction() as cur:
            as_before_the_upgrade(cur)

    # This version starts on that database: v2 is built beside v1, from the events.
    with Ledger.open(database_url) as ledger:
        ledger.sync()
        assert ledger.dump() == live
        assert verify(ledger.central, ledger.db) == []
        # Filtered audits read the new index.
        history = History(ledger.central, ledger.db)
        assert history.index_position() == history.max_position()
        indexed = [r for r in live if r["table"] == EVENTS.name]
        log = EventLog(history, EventFilter(station="CP-1"))
        assert [r["position"] for r in log.records()] == [
            r["position"] for r in indexed if r["station_id"] == "CP-1"
        ]
        # v1 is left as it was (rebuilt beside, never migrated in place).
        rows = ledger.db.query(f"SELECT COUNT(*) AS n FROM {V1[0].name}")
        assert rows[0]["n"] == len(indexed)
