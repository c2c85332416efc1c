"""Tamper evidence: a hash chain per aggregate, written in the same commit as events.

Each event's link is sha256(previous link ‖ id ‖ version ‖ topic ‖ state); a head row
per aggregate keeps its last version and link, so deleting the newest event is caught
too. The chain is per aggregate, so group commits and several nodes (whose writes
PostgreSQL serialises per table lock) keep working unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import StoredEvent

HASHES_DDL = (
    "CREATE TABLE IF NOT EXISTS chargeledger_event_hashes (originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, link TEXT NOT NULL, "
    "PRIMARY KEY (originator_id, originator_version))"
)
HEADS_DDL = (
    "CREATE TABLE IF NOT EXISTS chargeledger_heads (originator_id TEXT PRIMARY KEY, "
    "originator_version INTEGER NOT NULL, link TEXT NOT NULL)"
)
INSERT_LINK = (
    "INSERT INTO chargeledger_event_hashes (originator_id, originator_version, link) "
    "VALUES (?, ?, ?)"
)
UPSERT_HEAD = (
    "INSERT INTO chargeledger_heads (originator_id, originator_version, link) "
    "VALUES (?, ?, ?) ON CONFLICT (originator_id) DO UPDATE SET "
    "originator_version = excluded.originator_version, link = excluded.link"
)


def link(previous: str, originator_id: str, version: int, topic: str, state: bytes) -> str:
    digest = hashlib.sha256(f"{previous}|{originator_id}|{version}|{topic}|".encode())
    digest.update(bytes(state))
    return digest.hexdigest()


class ChainHeads:
    """The last link of recently written aggregates, as committed: reading them back
    from the database was a query per commit. An entry is used only when it is exactly
    one version behind the event being written; otherwise the table is asked."""

    MAX_ENTRIES = 200_000

    def __init__(self) -> None:
        self._committed: dict[str, tuple[int, str]] = {}
        self._pending: dict[str, tuple[int, str]] = {}

    def write_links(
        self, cursor: Any, sql: Callable[[str], str],
        many: Callable[[Any, str, Sequence[Any]], None], events: Sequence[StoredEvent],
    ) -> None:  # fmt: skip
        """Extend each aggregate's chain by the events being inserted in this commit."""
        self._pending = {}
        if not events:
            return
        heads = self._heads(cursor, sql, events)
        links = []
        for e in events:
            key = hex_id(e.originator_id)
            _, previous = heads.get(key, (0, ""))
            new = link(previous, key, e.originator_version, e.topic, e.state)
            heads[key] = (e.originator_version, new)
            links.append((key, e.originator_version, new))
        many(cursor, INSERT_LINK, links)
        changed = sorted({key for key, _, _ in links})
        self._pending = {k: heads[k] for k in changed}
        many(cursor, UPSERT_HEAD, [(k, *heads[k]) for k in changed])

    def committed(self) -> None:
        if len(self._committed) > self.MAX_ENTRIES:
            self._committed.clear()
        self._committed.update(self._pending)
        self._pending = {}

    def _heads(
        self, cursor: Any, sql: Callable[[str], str], events: Sequence[StoredEvent]
    ) -> dict[str, tuple[int, str]]:
        heads: dict[str, tuple[int, str]] = {}
        unknown: set[str] = set()
        for e in events:
            key = hex_id(e.originator_id)
            if key in heads or key in unknown:
                continue
            cached = self._committed.get(key)
            if e.originator_version == 1:
                heads[key] = (0, "")
            elif cached is not None and cached[0] == e.originator_version - 1:
                heads[key] = cached
            else:
                unknown.add(key)
        if unknown:
            ids = sorted(unknown)
            marks = ", ".join("?" * len(ids))
            cursor.execute(sql("SELECT originator_id, originator_version, link FROM "
                               f"chargeledger_heads WHERE originator_id IN ({marks})"),
                           ids)  # fmt: skip
            heads.update((row["originator_id"], (row["originator_version"], row["link"]))
                         for row in cursor.fetchall())  # fmt: skip
        return heads


def hex_id(originator_id: Any) -> str:
    """An originator id as the SQLite store keeps it: 32 hex digits."""
    return originator_id.hex if hasattr(originator_id, "hex") else str(originator_id)


@dataclass(frozen=True)
class Break:
    """The first broken link of one aggregate's chain."""

    originator_id: str
    version: int
    problem: str  # edited | deleted | inserted


def check_chains(
    events: Iterator[tuple[str, int, str, bytes]],
    links: dict[tuple[str, int], str],
    heads: dict[str, tuple[int, str]],
) -> list[Break]:
    """Walk events ordered by (aggregate, version) against stored links and heads."""
    breaks: dict[str, Break] = {}
    current, version, previous = "", 0, ""
    seen: set[str] = set()

    def close() -> None:
        if current and current not in breaks:
            head = heads.get(current)
            if head is None or head[0] > version:
                breaks[current] = Break(current, version + 1, "deleted")
            elif head[0] < version or head[1] != previous:
                breaks[current] = Break(current, head[0] + 1, "inserted")

    for originator_id, v, topic, state in events:
        if originator_id != current:
            close()
            current, version, previous = originator_id, 0, ""
            seen.add(current)
        if current in breaks:
            continue
        stored = links.get((current, v))
        if v != version + 1:
            breaks[current] = Break(current, version + 1, "deleted")
        elif stored is None:
            breaks[current] = Break(current, v, "inserted")
        elif stored != link(previous, current, v, topic, state):
            breaks[current] = Break(current, v, "edited")
        version, previous = v, stored or ""
    close()
    for originator_id, (head_version, _) in heads.items():
        if originator_id not in seen:  # every event of the aggregate is gone
            breaks[originator_id] = Break(originator_id, 1, "deleted")
    return sorted(breaks.values(), key=lambda b: (b.originator_id, b.version))
