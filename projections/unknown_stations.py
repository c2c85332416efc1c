"""Unknown stations view: identities that knocked but no operator has registered."""

from __future__ import annotations

from typing import Any

from domain.station import Station
from projections.base import Events, SqlProjection, Table, topics, utc_text
from projections.database import Cursor, Row

# Every station has a row; registered ones keep it with registered = 1, so boots after
# registration cannot bring them back onto the list.
UNKNOWN_STATIONS = Table(
    "unknown_stations_v1",
    (
        ("id", "TEXT NOT NULL"),
        ("uuid", "TEXT NOT NULL"),
        ("registered", "INTEGER NOT NULL"),
        ("attempts", "INTEGER NOT NULL"),
        ("first_seen", "TEXT NOT NULL"),
        ("last_seen", "TEXT NOT NULL"),
        ("vendor", "TEXT"),
        ("model", "TEXT"),
        ("last_answer", "TEXT"),
    ),
    key=("id",),
    unique=(("uuid",),),
    indexes=(("registered", "id"),),
)


class UnknownStationsProjection(SqlProjection):
    """Boots and failed logins of stations never registered, for the operator to act."""

    name = "unknown_stations_v1"
    tables = (UNKNOWN_STATIONS,)
    apply_cost = 0.3
    topics = topics(
        Station.Identified,
        Station.Registered,
        Station.BootNotified,
        Station.AuthenticationFailed,
    )

    def apply(self, cur: Cursor, events: Events) -> None:
        known = {str(e.originator_id) for _, e in events}
        rows = self.load(cur, UNKNOWN_STATIONS, known)
        touched: set[str] = set()
        for _, event in events:
            key = str(event.originator_id)
            touched.add(key)
            if isinstance(event, Station.Identified):
                rows[key] = _new_row(event)
            elif rows[key]["registered"]:
                continue
            elif isinstance(event, Station.Registered):
                rows[key]["registered"] = 1
            else:
                _attempted(rows[key], event)
        self.write(cur, UNKNOWN_STATIONS, [rows[key] for key in sorted(touched)])


def _new_row(event: Station.Identified) -> Row:
    seen = utc_text(event.timestamp)
    return {
        "id": event.charge_point_id,
        "uuid": str(event.originator_id),
        "registered": 0,
        "attempts": 0,
        "first_seen": seen,
        "last_seen": seen,
        "vendor": None,
        "model": None,
        "last_answer": None,
    }


def _attempted(row: Row, event: Any) -> None:
    row["attempts"] += 1
    row["last_seen"] = utc_text(event.timestamp)
    if isinstance(event, Station.BootNotified):
        row.update(vendor=event.vendor, model=event.model, last_answer=event.answered)
