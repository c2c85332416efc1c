"""The global event log, filtered: through the event index up to where the index has
got, then straight from the store (the index is a projection: it may lag, or not exist
yet); without filters, straight from the store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.utils import get_topic

from projections.base import utc_text
from projections.event_index import (
    EVENTS,
    MINUTES,
    Facts,
    describe,
    event_classes,
    event_facts,
    minute_of,
)
from projections.history_render import Record, render
from projections.history_store import PAGE, History, Resolver


class UnknownEventType(ValueError):
    """A type name no aggregate of the domain records."""


def event_types(names: Sequence[str]) -> tuple[str, ...]:
    """Full type names; `ConnectorStatusChanged` alone names every aggregate's."""
    known = event_classes()
    found: list[str] = []
    for name in names:
        matches = [t for t in known if name in (t, t.rsplit(".", 1)[-1])]
        if not matches:
            raise UnknownEventType(f"unknown event type {name!r}")
        found += matches
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class EventFilter:
    """Which events: all given conditions hold (`since`/`until` inclusive)."""

    station: str | None = None
    aggregate: UUID | None = None
    types: tuple[str, ...] = field(default=())  # full names, see event_types()
    since: datetime | None = None
    until: datetime | None = None
    transaction: int | None = None  # the OCPP transactionId the events carry
    after: int = 0  # positions after this one

    @property
    def narrow(self) -> bool:
        return any((self.station, self.aggregate, self.types, self.since, self.until,
                    self.transaction is not None))  # fmt: skip


class EventLog:
    """Reads matching events; `scanned` is the position read up to. `page` rows are
    read at a time (a caller wanting a few events asks for few)."""

    def __init__(self, history: History, flt: EventFilter, page: int = PAGE) -> None:
        self._history = history
        self._flt = flt
        self._page = max(page, 1)
        self._resolver = Resolver(history)
        classes = event_classes()
        self._topics = [get_topic(classes[name]) for name in flt.types]
        self.scanned = flt.after

    def records(self) -> Iterator[Record]:
        if self._flt.aggregate is not None:
            yield from self._of_aggregate(self._flt.aggregate)
        elif self._flt.narrow:
            indexed = self._history.index_position()
            if indexed is not None and indexed > self.scanned:
                yield from self._indexed(indexed)
        yield from self.tail()

    def tail(self) -> Iterator[Record]:
        """From the store, after `scanned`, up to now: filters applied here."""
        recorder = self._history.central.recorder
        to_event = self._history.central.mapper.to_domain_event
        while True:
            page = recorder.select_notifications(
                self.scanned + 1, self._page, topics=self._topics
            )
            for n in page:
                self.scanned = n.id
                event = to_event(n) if n.originator_version == 1 else None
                facts = self._resolver.facts(cast(UUID, n.originator_id), event)
                if self._excluded(facts):
                    continue  # not this station's or transaction's: skip undecoded
                event = event or to_event(n)
                station, txid = event_facts(event, facts)
                if self._matches(event, station, txid):
                    yield render(n.id, event, station, txid)
            if len(page) < self._page:
                return

    def _of_aggregate(self, aggregate_id: UUID) -> Iterator[Record]:
        upto = self._history.max_position()  # later ones come from tail()
        facts = None
        for position, event in self._history.of_aggregate(aggregate_id):
            facts = facts or self._resolver.facts(aggregate_id, event)  # the first
            station, txid = event_facts(event, facts)
            if self.scanned < position <= upto and self._matches(event, station, txid):
                yield render(position, event, station, txid)
        self.scanned = max(self.scanned, upto)

    def _indexed(self, upto: int) -> Iterator[Record]:
        where, params = self._conditions()
        window = self._window()
        last, end = self.scanned, upto if window is None else min(upto, window[1])
        if window is not None:
            last = max(last, window[0] - 1)
        while last < end:
            rows = self._history.db.query(
                f"SELECT position, station_id, transaction_id FROM {EVENTS.name} "
                f"WHERE position > ? AND position <= ?{where} "
                "ORDER BY position LIMIT ?",
                (last, end, *params, self._page),
            )
            found = dict(self._history.at_positions([r["position"] for r in rows]))
            for row in rows:
                yield render(
                    row["position"],
                    found[row["position"]],
                    row["station_id"],
                    row["transaction_id"],
                )
            last = rows[-1]["position"] if len(rows) == self._page else end
        self.scanned = upto

    def _window(self) -> tuple[int, int] | None:
        """The positions that can hold events of the time range (exact, from the
        per-minute spans)."""
        flt = self._flt
        if flt.since is None and flt.until is None:
            return None
        rows = self._history.db.query(
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
        for clause, value in (
            ("station_id = ?", flt.station),
            ("transaction_id = ?", flt.transaction),
            ("recorded_at >= ?", utc_text(flt.since)),
            ("recorded_at <= ?", utc_text(flt.until)),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        if flt.types:
            where.append(f"type IN ({', '.join('?' * len(flt.types))})")
            params += flt.types
        return "".join(f" AND {clause}" for clause in where), params

    def _excluded(self, facts: Facts | None) -> bool:
        """Whether the aggregate's facts alone rule its events out."""
        flt = self._flt
        station = facts.station_id if facts else None
        if flt.station is not None and station != flt.station:
            return True
        fixed = facts.transaction_id if facts else None  # else the event may name one
        return flt.transaction is not None and fixed not in (None, flt.transaction)

    def _matches(self, event: Any, station: str | None, txid: int | None) -> bool:
        flt = self._flt
        if flt.station is not None and station != flt.station:
            return False
        if flt.transaction is not None and txid != flt.transaction:
            return False
        if flt.types and describe(type(event))[0] not in flt.types:
            return False
        if flt.since is not None and event.timestamp < flt.since:
            return False
        return flt.until is None or event.timestamp <= flt.until
