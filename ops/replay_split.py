"""A SQLite rebuild split over processes: each builds some views from the same log.

One process tops out near 30k events/s (decoding, the projections' Python, the
event index's inserts), and SQLite admits one writer per file. So the views are
shared out by the aggregates whose events they read: views that read the same
aggregate type stay together (each event is then decoded once in all), and the
event index, whose rows depend on each aggregate's own events only, is built in parts
by aggregate type. This process builds its share into the views file as before; each
other share is built by a child (`ops.replay_worker`) into a scratch file of its own,
then copied in by the transaction that swaps the rebuilt tables in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ops
from projections.base import SqlProjection
from projections.database import Cursor, SqliteDatabase
from projections.base import module_of

SAMPLE = 20_000  # newest events counted to weigh the shares
# A child's start (interpreter, imports: ~0.13 s) weighs as much as decoding this
# many events; the share it gets is lighter by that. Fitted on replay_speed: at
# 40,000 the child was done 30-80 ms before this process, at 20,000 together.
CHILD_START_EVENTS = 20_000
MIN_FRACTION = 0.02  # of a group's aggregates: less is not worth a second reader
END = "g"  # above every stored aggregate id (lowercase hex on SQLite)


@dataclass
class Share:
    """What one process builds: whole views, and parts of split ones by module;
    of some modules only the aggregates whose stored ids lie in `ranges`."""

    names: list[str] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)
    weight: float = 0
    ranges: dict[str, list[str]] = field(default_factory=dict)
    # The groups given to it: modules, weight, and whether all its readers are
    # built by aggregate (then some of its aggregates can go to another share).
    groups: list[tuple[set[str], float, bool]] = field(default_factory=list)

    def projections(self, scratch: Sequence[SqlProjection]) -> list[SqlProjection]:
        by_name = {p.name: p for p in scratch}
        mine = [by_name[name] for name in self.names]
        return mine + [by_name[n].part(m) for n, m in sorted(self.parts.items())]

    def ids(self, projections: Sequence[SqlProjection]) -> dict[str, tuple[str, str]]:
        """The topics these projections read only for the aggregates in range."""
        topics = set().union(*(p.topics for p in projections))
        return {t: (self.ranges[module_of(t)][0], self.ranges[module_of(t)][1])
                for t in topics if module_of(t) in self.ranges}  # fmt: skip


def plan(
    projections: Sequence[SqlProjection], counts: Counter[str], processes: int,
    start_cost: float = 0,
) -> list[Share]:  # fmt: skip
    """Views grouped by the modules (aggregate types) they read, groups given out
    heaviest first to the process that would end first, then some aggregates of
    one group moved between this process's share and a child's (`_balance`). A
    group weighs the events it decodes plus the events each of its views applies,
    times its `apply_cost`; `start_cost` is a child's start in the same units."""
    whole = [p for p in projections if not p.by_aggregate]
    groups: list[tuple[set[str], list[SqlProjection]]] = []
    for p in whole:
        modules = {module_of(t) for t in p.topics}
        joined = [g for g in groups if g[0] & modules]
        groups = [g for g in groups if not g[0] & modules]
        groups.append((modules.union(*(g[0] for g in joined)),
                       [q for g in joined for q in g[1]] + [p]))  # fmt: skip
    split = [p for p in projections if p.by_aggregate]
    loose = {module_of(t) for p in split for t in p.topics}
    loose -= set().union(*(g[0] for g in groups))
    groups += [({module}, []) for module in sorted(loose)]
    weighed = [(g, _weight(g, split, counts)) for g in groups]
    # A child ends later by its start: it begins with that weight. (At most half a
    # share's: on a small log a child still gets work, as on a big one.)
    total = sum(weight for _, weight in weighed)
    start = min(start_cost, total / max(1, processes) / 2)
    shares = [Share(weight=0 if i == 0 else start) for i in range(max(1, processes))]
    for (modules, members), weight in sorted(weighed, key=lambda g: -g[1]):
        share = min(shares, key=lambda s: s.weight)
        share.names += [p.name for p in members]
        for p in split:
            if any(module_of(t) in modules for t in p.topics):
                share.parts.setdefault(p.name, []).extend(sorted(modules))
        share.weight += weight
        share.groups.append((modules, weight, not members))
    # The first is this process's; the others' weights include their start.
    given = [s for s in shares if s.names or s.parts]
    if len(given) > 1:
        _balance(given[0], min(given[1:], key=lambda s: s.weight))
    return given


def _balance(first: Share, child: Share) -> None:
    """Move the aggregates of one group up to an id from the share that would end
    later to the other, so both end together. Only a group whose views are all
    built by aggregate can be shared so: no row needs another's."""
    excess = first.weight - child.weight
    giver, taker = (first, child) if excess > 0 else (child, first)
    shareable = [(modules, weight) for modules, weight, ok in giver.groups if ok]
    if not shareable:
        return
    modules, weight = max(shareable, key=lambda g: g[1])
    fraction = min(abs(excess) / (2 * weight), 0.5)
    if fraction < MIN_FRACTION:
        return
    # Stored ids are hashes (uniform hex): the first four digits cut evenly enough.
    cut = f"{int(fraction * 0x10000):04x}"
    for module in modules:
        taker.ranges[module], giver.ranges[module] = ["", cut], [cut, END]
    for name, parted in giver.parts.items():
        if modules & set(parted):
            taker.parts.setdefault(name, []).extend(sorted(modules & set(parted)))
    giver.weight -= fraction * weight
    taker.weight += fraction * weight


def _weight(
    group: tuple[set[str], list[SqlProjection]], split: list[SqlProjection],
    counts: Counter[str],
) -> float:  # fmt: skip
    modules, members = group
    readers = members + [p.part(modules) for p in split]
    decoded = set().union(*(p.topics for p in readers))
    return 1 + sum(counts[t] for t in decoded) + sum(
        counts[t] * p.apply_cost for p in readers for t in p.topics
    )


def sample_counts(db: SqliteDatabase, table: str, until: int) -> Counter[str]:
    """Events per topic among the newest SAMPLE (a full count costs a scan)."""
    rows = db.ledger.rows(
        f"SELECT topic, COUNT(*) FROM {table} WHERE rowid > ? GROUP BY topic",
        (until - SAMPLE,),
    )
    return Counter({topic: n for topic, n in rows})


class Children:
    """The other shares, built by child processes while this one builds its own."""

    def __init__(self, db: SqliteDatabase, prefix: str, until: int) -> None:
        self._db, self._prefix, self._until = db, prefix, until
        # Beside the ledger: the same disk, and no small /tmp to fill.
        self._dir = tempfile.TemporaryDirectory(
            prefix=".replay-", dir=Path(db.path).absolute().parent
        )
        self._running: list[tuple[Share, str, subprocess.Popen[bytes]]] = []
        self._reported: set[int] = set()  # children whose share is built

    def start(self, shares: Sequence[Share]) -> None:
        root = Path(ops.__file__).absolute().parent.parent  # this checkout's code
        for i, share in enumerate(shares):
            file = str(Path(self._dir.name) / f"part{i}.sqlite3")
            job = {"ledger": self._db.path, "file": file, "prefix": self._prefix,
                   "until": self._until, "names": share.names, "parts": share.parts,
                   "ranges": share.ranges}  # fmt: skip
            # Errors to a file: a pipe nobody reads until the end could fill up.
            with open(self._errors(i), "wb") as errors:
                child = subprocess.Popen(
                    [sys.executable, "-m", "ops.replay_worker", json.dumps(job)],
                    cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=errors,
                )  # fmt: skip
            self._running.append((share, file, child))

    def wait(self) -> None:
        """Until every child has reported its share built, its file closed (the
        rest of its exit, ~30 ms, goes on beside the merge); a failed one raises
        with its error."""
        for index, (_, _, child) in enumerate(self._running):
            assert child.stdout is not None
            if not child.stdout.readline().strip():  # it ended without a report
                child.wait()
                error = self._errors(index).read_text(errors="replace")
                raise RuntimeError(f"replay worker failed: {error[-2000:]}")
            self._reported.add(index)

    def _errors(self, index: int) -> Path:
        return Path(self._dir.name) / f"part{index}.err"

    @contextmanager
    def attached(self) -> Iterator[None]:
        """The children's files readable as `part0.…`, `part1.…` (for `merge`)."""
        with ExitStack() as stack:
            for index, (_, file, _) in enumerate(self._running):
                stack.enter_context(self._db.attached(file, f"part{index}"))
            yield

    def merge(self, cur: Cursor, scratch: Sequence[SqlProjection]) -> None:
        """Copy the children's views and positions into ours (`attached`), in the
        caller's transaction: the swap's, so the copied pages are written once."""
        for index, (share, _, _) in enumerate(self._running):
            schema = f"part{index}"
            for p in share.projections(scratch):
                p.create_tables(cur)  # IF NOT EXISTS: a part may have made them
                p.merge(cur, schema)
            # A split view is where its least advanced part is.
            cur.execute(
                "INSERT INTO main.projection_tracking (name, position) "
                f"SELECT name, position FROM {schema}.projection_tracking "
                "WHERE true ON CONFLICT (name) DO UPDATE SET "
                "position = min(position, excluded.position)"
            )

    def close(self) -> None:
        """Reap the children: one that reported is only exiting, any other is
        stopped (the rebuild failed or was interrupted)."""
        for index, (_, _, child) in enumerate(self._running):
            if index not in self._reported:
                child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
        self._dir.cleanup()
