"""A SQLite rebuild shared out over processes builds the rows a serial one builds."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from pathlib import Path

import pytest

from domain import commands as c
from ops.replay import replay, verify
from ops.replay_split import END, Children, Share, plan
from projections.base import SqlProjection
from projections.catalog import build_projections
from projections.database import SqliteDatabase
from projections.base import module_of
from tests.integration.test_replay_random import random_commands
from tests.ledger import Ledger
from tests.projections.test_replay import scenario


def test_every_view_is_built_once_and_the_event_index_in_disjoint_parts() -> None:
    views = build_projections()
    shares = plan(views, Counter(), 2)
    assert len(shares) == 2
    names = [name for share in shares for name in share.names]
    assert sorted(names) == sorted(v.name for v in views if not v.by_aggregate)
    _assert_each_aggregate_built_once(views, shares)


def test_some_aggregates_of_a_group_go_to_the_share_that_would_end_first() -> None:
    views = build_projections()
    counts = Counter({topic: 100 for view in views for topic in view.topics})
    first, child = plan(views, counts, 2, start_cost=500)
    # The child starts later: some aggregates of one of its groups move over, by id.
    assert first.ranges
    assert [module for module, bounds in child.ranges.items() if bounds[0]] == list(
        first.ranges
    )
    for module, (low, high) in first.ranges.items():
        assert (low, child.ranges[module]) == ("", [high, END])
    _assert_each_aggregate_built_once(views, [first, child])


def _assert_each_aggregate_built_once(
    views: list[SqlProjection], shares: list[Share]
) -> None:
    """Every split view gets each module's aggregates from exactly one share: the
    shares reading a module either take it whole or cut its ids into ranges."""
    for view in (v for v in views if v.by_aggregate):
        for module in {module_of(t) for t in view.topics}:
            readers = [s for s in shares if module in s.parts.get(view.name, [])]
            bounds = sorted(tuple(s.ranges.get(module, ["", END])) for s in readers)
            assert bounds[0][0] == "" and bounds[-1][1] == END, (view.name, module)
            assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


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
        names = ["event_index_v2", "stations_v1"]
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
