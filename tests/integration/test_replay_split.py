"""A SQLite rebuild shared out over processes builds the rows a serial one builds."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from domain import commands as c
from ops.replay import replay, verify
from ops.replay_split import Children, plan
from projections.catalog import build_projections
from projections.database import SqliteDatabase
from projections.event_index import module_of
from tests.integration.test_replay_random import random_commands
from tests.ledger import Ledger
from tests.projections.test_replay import scenario


def test_every_view_is_built_once_and_the_event_index_in_disjoint_parts() -> None:
    views = build_projections()
    shares = plan(views, Counter(), 2)
    assert len(shares) == 2
    names = [name for share in shares for name in share.names]
    assert sorted(names) == sorted(v.name for v in views if not v.by_aggregate)
    # Each aggregate type's events reach exactly one part of the event index.
    modules = [m for share in shares for m in share.parts["event_index_v1"]]
    index = next(v for v in views if v.by_aggregate)
    assert sorted(modules) == sorted({module_of(t) for t in index.topics})


def test_views_reading_the_same_aggregate_type_are_built_together() -> None:
    views = {v.name: v for v in build_projections()}
    read = [{module_of(t) for n in s.names for t in views[n].topics} for s in plan(
        list(views.values()), Counter(), 2)]  # fmt: skip
    assert not read[0] & read[1]  # so no event is decoded twice


def test_a_split_rebuild_equals_the_serial_one_and_the_live_views(
    sqlite_url: str,
) -> None:
    with Ledger.open(sqlite_url) as ledger:
        # Stations, sessions, tags and operator calls run live.
        scenario(ledger)
        for command in random_commands(random.Random(7), 150):
            try:
                ledger.handle(command)
            except Exception as refused:  # a domain refusal, as a station would get
                assert type(refused).__name__.endswith("Error"), refused
        ledger.handle(c.RequestOperation("CP-1", "Reset", {"type": "Hard"}, "op"))
        live = ledger.dump()
        head = ledger.central.recorder.max_notification_id()
        # One process rebuilds, then two: each gives the live rows, at the head.
        for processes in (1, 2):
            report = replay(ledger.central, ledger.db, processes=processes)
            assert {r.position for r in report} == {head}
            assert ledger.dump() == live
        assert verify(ledger.central, ledger.db) == []


def test_a_split_rebuild_of_some_views_leaves_the_others(sqlite_url: str) -> None:
    with Ledger.open(sqlite_url) as ledger:
        scenario(ledger)
        live = ledger.dump()
        # The event index (in parts) and the stations view, by two processes.
        names = ["event_index_v1", "stations_v1"]
        replay(ledger.central, ledger.db, names, processes=2)
        assert ledger.dump() == live


def test_a_share_that_cannot_be_built_is_reported_with_the_childs_error(
    tmp_path: Path,
) -> None:
    # A child is given a ledger without events: its share cannot be built.
    empty = SqliteDatabase(str(tmp_path / "empty.sqlite3"))
    views = build_projections(prefix="x1_", secondary=False)
    children = Children(empty, "x1_", until=10)
    try:
        children.start(plan(views, Counter(), 2)[1:])
        with pytest.raises(RuntimeError, match="no such table"):
            children.wait()
    finally:
        children.close()
        empty.close()
