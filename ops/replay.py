"""Rebuild read models from the event log (replay) and check them against it (verify).

Both build beside the live tables under a scratch prefix, so a running server keeps
serving: replay then swaps the rebuilt tables in, in one transaction; verify compares
and drops them.
"""

from __future__ import annotations

import gc
import itertools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from domain.application import CentralSystem
from ops.replay_split import CHILD_START_EVENTS, Children, plan, sample_counts
from projections.base import SqlProjection
from projections.catalog import build_projections
from projections.database import Cursor, Database, SqliteDatabase
from projections.event_log import EventLog
from projections.follower import ProjectionFollower, forget

REBUILD_BATCH = 50_000  # events per transaction: fewer, larger batches rebuild faster
# Processes sharing a SQLite rebuild: one per core, at most one per group of views
# reading the same aggregate types (ops.replay_split.plan).
PROCESSES = os.cpu_count() or 1
Progress = Callable[[int], None]


@dataclass
class Rebuilt:
    name: str
    position: int
    rows: int


@dataclass
class Difference:
    name: str
    position: int
    live_rows: int
    rebuilt_rows: int
    examples: list[dict[str, Any]] = field(default_factory=list)


def _scratch(
    names: Sequence[str] | None, kind: str
) -> tuple[list[SqlProjection], list[SqlProjection]]:
    prefix, wanted = f"{kind}{time.time_ns() // 1000}_", list(names or ())
    # Scratch tables get their non-unique indexes only when swapped in (replay).
    scratch = build_projections(wanted, prefix=prefix, secondary=False)
    return build_projections(wanted), scratch


def _build(
    central: CentralSystem, db: Database, scratch: list[SqlProjection],
    until: int | None, progress: Progress | None,
) -> int:  # fmt: skip
    forget(db, scratch)
    follower = ProjectionFollower(central, db, scratch, batch_size=REBUILD_BATCH)
    with no_cyclic_gc():
        return follower.catch_up(until=until, progress=progress)


def _build_split(
    central: CentralSystem, db: Database, scratch: list[SqlProjection],
    progress: Progress | None, processes: int,
) -> Children | None:  # fmt: skip
    """`_build` with the work shared out over processes (SQLite only: PostgreSQL
    rebuilds serially). Returns the children whose shares are still to be merged
    (`Children.merge`), once each is done."""
    until = central.recorder.max_notification_id() or 0
    shares = []
    if isinstance(db, SqliteDatabase) and processes > 1 and until:
        counts = sample_counts(db, EventLog(central, db).table, until)
        # In the sample's units, as the shares are weighed.
        start_cost = CHILD_START_EVENTS * counts.total() / until
        shares = plan(scratch, counts, processes, start_cost)
    if len(shares) < 2:
        _build(central, db, scratch, None, progress)
        return None
    assert isinstance(db, SqliteDatabase)
    forget(db, scratch)
    children = Children(db, scratch[0].prefix, until)
    try:
        children.start(shares[1:])
        mine = shares[0].projections(scratch)
        follower = ProjectionFollower(central, db, mine, batch_size=REBUILD_BATCH,
                                      ids=shares[0].ids(mine))  # fmt: skip
        with no_cyclic_gc():
            follower.catch_up(until=until, progress=progress)
        children.wait()
    except BaseException:
        children.close()
        raise
    return children


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """A rebuild allocates millions of small acyclic objects (events, rows): the
    cyclic collector would keep scanning them, find nothing, and cost a fifth of
    the time. Reference counting still frees every batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def replay(
    central: CentralSystem, db: Database, names: Sequence[str] | None = None,
    progress: Progress | None = None, processes: int = PROCESSES,
) -> list[Rebuilt]:  # fmt: skip
    """Rebuild the named projections (all by default) and switch to the new tables
    (on SQLite, built by up to `processes` processes)."""
    # Off until the views are freed: turned on earlier, the collector would at once
    # walk all they still hold (the event index's remembered facts).
    with no_cyclic_gc():
        return _replay(central, db, names, progress, processes)


def _replay(
    central: CentralSystem, db: Database, names: Sequence[str] | None,
    progress: Progress | None, processes: int,
) -> list[Rebuilt]:  # fmt: skip
    live, scratch = _scratch(names, "r")
    try:
        children = _build_split(central, db, scratch, progress, processes)
    except BaseException:
        forget(db, scratch)
        raise
    report = []
    try:
        with children.attached() if children else nullcontext(), \
                db.transaction() as cur:  # fmt: skip
            if children:
                children.merge(cur, scratch)
            position = min(_position(cur, p.tracking_name) for p in scratch)
            for old, new in zip(live, scratch, strict=True):
                report.append(Rebuilt(old.name, position, new.count(cur)))
                _swap(cur, db.dialect, old, new)
    except BaseException:
        forget(db, scratch)
        raise
    finally:
        if children:
            children.close()
    return report


def verify(
    central: CentralSystem, db: Database, names: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> list[Difference]:  # fmt: skip
    """Rebuild into scratch up to each live view's position and compare every row."""
    live, scratch = _scratch(names, "v")
    differences = []
    try:
        for old, new in zip(live, scratch, strict=True):
            # Read the position and the rows together, so a running server that moves
            # the live view meanwhile cannot make a false difference.
            with db.transaction() as cur:
                position = _position(cur, old.tracking_name)
                live_rows = old.dump(cur)
            _build(central, db, [new], position, progress)
            with db.transaction() as cur:
                rebuilt_rows = new.dump(cur)
            if live_rows != rebuilt_rows:
                differences.append(_difference(old.name, position, live_rows, rebuilt_rows))
    finally:
        forget(db, scratch)
    return differences


def _position(cur: Cursor, name: str) -> int:
    cur.execute("SELECT position FROM projection_tracking WHERE name = ?", (name,))
    row = cur.fetchone()
    return int(row["position"]) if row else 0


def _difference(
    name: str, position: int, live: list[dict[str, Any]], rebuilt: list[dict[str, Any]]
) -> Difference:
    pairs = itertools.zip_longest(live, rebuilt)
    examples = [{"live": a, "rebuilt": b} for a, b in pairs if a != b][:5]
    return Difference(name, position, len(live), len(rebuilt), examples)


def _swap(cur: Cursor, dialect: str, old: SqlProjection, new: SqlProjection) -> None:
    """Drop the live tables, rename the rebuilt ones, move the tracking position."""
    # SQLite: the views file only, never a same-named table the ledger (attached
    # read-only) kept from before the views had a file of their own.
    schema = "main." if dialect == "sqlite" else ""
    for table in old.tables:
        live_name, scratch_name = old.prefix + table.name, new.prefix + table.name
        cur.execute(f"DROP TABLE IF EXISTS {schema}{live_name}")
        cur.execute(f"ALTER TABLE {scratch_name} RENAME TO {live_name}")
        _rename_indexes(cur, dialect, live_name, new.prefix)
    old.create_tables(cur)  # indexes under their live names (SQLite cannot rename)
    cur.execute(
        "INSERT INTO projection_tracking (name, position) SELECT ?, position FROM "
        "projection_tracking WHERE name = ? ON CONFLICT (name) DO UPDATE SET "
        "position = excluded.position", (old.tracking_name, new.tracking_name),
    )  # fmt: skip
    cur.execute("DELETE FROM projection_tracking WHERE name = ?", (new.tracking_name,))


def _rename_indexes(cur: Cursor, dialect: str, table: str, prefix: str) -> None:
    if dialect == "postgresql":
        cur.execute("SELECT indexname AS name FROM pg_indexes WHERE tablename = ? "
                    "AND schemaname = current_schema()", (table,))  # fmt: skip
        for row in cur.fetchall():
            if row["name"].startswith(prefix):
                cur.execute(f'ALTER INDEX "{row["name"]}" RENAME TO '
                            f'"{row["name"][len(prefix):]}"')  # fmt: skip
        return
    cur.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL", (table,))  # fmt: skip
    for row in cur.fetchall():
        if row["name"].startswith(prefix):
            cur.execute(f'DROP INDEX "{row["name"]}"')
