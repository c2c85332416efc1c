"""How the audit reads the global event log: through the event index up to where the
index has got, then straight from the store (the index is a projection: it may lag,
or not exist yet); without filters, straight from the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.utils import get_topic

from ops.audit_store import PAGE, Ledger, Resolver, render
from ops.output import Record
from projections.base import utc_text
from projections.event_index import (
    EVENTS,
    MINUTES,
    describe,
    event_classes,
    event_facts,
    minute_of,
)


@dataclass(frozen=True)
class EventFilter:
    """Which events: all given conditions hold (`since`/`until` inclusive)."""

    station: str | None = None
    aggregate: UUID | None = None
    types: tuple[str, ...] = field(default=())
    since: datetime | None = None
    until: datetime | None = None
    after: int = 0  # positions after this one

    @property
    def narrow(self) -> bool:
        return any((self.station, self.aggregate, self.types, self.since, self.until))


class EventLog:
    """Reads matching events; `scanned` is the position read up to."""

    def __init__(self, ledger: Ledger, flt: EventFilter) -> None:
        self._ledger = ledger
        self._flt = flt
        self._resolver = Resolver(ledger)
        classes = event_classes()
        self._topics = [get_topic(classes[name]) for name in flt.types]
        self.scanned = flt.after

    def records(self) -> Iterator[Record]:
        if self._flt.aggregate is not None:
            yield from self._of_aggregate(self._flt.aggregate)
        elif self._flt.narrow:
            indexed = self._ledger.index_position()
            if indexed is not None and indexed > self.scanned:
                yield from self._indexed(indexed)
        yield from self.tail()

    def tail(self) -> Iterator[Record]:
        """From the store, after `scanned`, up to now: filters applied here."""
        recorder = self._ledger.central.recorder
        to_event = self._ledger.central.mapper.to_domain_event
        while True:
            page = recorder.select_notifications(
                self.scanned + 1, PAGE, topics=self._topics
            )
            for n in page:
                self.scanned = n.id
                event = to_event(n) if n.originator_version == 1 else None
                facts = self._resolver.facts(cast(UUID, n.originator_id), event)
                if self._flt.station and (
                    facts is None or facts.station_id != self._flt.station
                ):
                    continue  # not this station's: skip without decoding
                event = event or to_event(n)
                station, txid = event_facts(event, facts)
                if self._matches(event, station):
                    yield render(n.id, event, station, txid)
            if len(page) < PAGE:
                return

    def _of_aggregate(self, aggregate_id: UUID) -> Iterator[Record]:
        upto = self._ledger.max_position()  # later ones come from tail()
        facts = None
        for position, event in self._ledger.of_aggregate(aggregate_id):
            facts = facts or self._resolver.facts(aggregate_id, event)  # the first
            station, txid = event_facts(event, facts)
            if self.scanned < position <= upto and self._matches(event, station):
                yield render(position, event, station, txid)
        self.scanned = max(self.scanned, upto)

    def _indexed(self, upto: int) -> Iterator[Record]:
        where, params = self._conditions()
        window = self._window()
        last, end = self.scanned, upto if window is None else min(upto, window[1])
        if window is not None:
            last = max(last, window[0] - 1)
        while last < end:
            rows = self._ledger.db.query(
                f"SELECT position, station_id, transaction_id FROM {EVENTS.name} "
                f"WHERE position > ? AND position <= ?{where} "
                "ORDER BY position LIMIT ?",
                (last, end, *params, PAGE),
            )
            found = dict(self._ledger.at_positions([r["position"] for r in rows]))
            for row in rows:
                yield render(
                    row["position"],
                    found[row["position"]],
                    row["station_id"],
                    row["transaction_id"],
                )
            last = rows[-1]["position"] if len(rows) == PAGE else end
        self.scanned = upto

    def _window(self) -> tuple[int, int] | None:
        """The positions that can hold events of the time range (exact, from the
        per-minute spans)."""
        flt = self._flt
        if flt.since is None and flt.until is None:
            return None
        rows = self._ledger.db.query(
            f"SELECT MIN(first_position) AS lo, MAX(last_position) AS hi "
            f"FROM {MINUTES.name} WHERE minute >= ? AND minute <= ?",
            (
                minute_of(utc_text(flt.since) or ""),
                minute_of(utc_text(flt.until) or "~"),
            ),
        )
        lo, hi = rows[0]["lo"], rows[0]["hi"]
        return (0, -1) if lo is None else (int(lo), int(hi))

    def _conditions(self) -> tuple[str, list[Any]]:
        """The filter as SQL on the index (after the position range)."""
        flt = self._flt
        where: list[str] = []
        params: list[Any] = []
        if flt.station is not None:
            where.append("station_id = ?")
            params.append(flt.station)
        if flt.types:
            where.append(f"type IN ({', '.join('?' * len(flt.types))})")
            params += flt.types
        if flt.since is not None:
            where.append("recorded_at >= ?")
            params.append(utc_text(flt.since))
        if flt.until is not None:
            where.append("recorded_at <= ?")
            params.append(utc_text(flt.until))
        return "".join(f" AND {clause}" for clause in where), params

    def _matches(self, event: Any, station: str | None) -> bool:
        flt = self._flt
        if flt.station is not None and station != flt.station:
            return False
        if flt.types and describe(type(event))[0] not in flt.types:
            return False
        if flt.since is not None and event.timestamp < flt.since:
            return False
        return flt.until is None or event.timestamp <= flt.until
