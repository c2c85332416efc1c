"""Id tags view: the authorisation list as operators maintain it."""

from __future__ import annotations

from domain.id_tag import IdTag
from projections.base import Events, SqlProjection, Table, topics, utc_text
from projections.database import Cursor, Row

ID_TAGS = Table(
    "id_tags_v1",
    (
        (
            "id_tag_key",
            "TEXT NOT NULL",
        ),  # casefolded (OCPP 1.6 IdToken is case-insensitive)
        ("uuid", "TEXT NOT NULL"),
        ("id_tag", "TEXT NOT NULL"),  # the spelling it was first issued with
        ("status", "TEXT NOT NULL"),
        ("expiry_date", "TEXT"),
        ("parent_id_tag", "TEXT"),
        ("max_active_transactions", "INTEGER NOT NULL"),
        ("active_transactions", "INTEGER NOT NULL"),
        ("updated_at", "TEXT NOT NULL"),
    ),
    key=("id_tag_key",),
    unique=(("uuid",),),
)


class IdTagsProjection(SqlProjection):
    """Every id tag with its status, expiry, parent and concurrent-use limit."""

    name = "id_tags_v1"
    tables = (ID_TAGS,)
    by_aggregate = True  # a tag's row follows from its own events
    apply_cost = 0.3
    topics = topics(
        IdTag.Issued, IdTag.Updated, IdTag.TransactionJoined, IdTag.TransactionLeft
    )

    def apply(self, cur: Cursor, events: Events) -> None:
        known = {str(e.originator_id) for _, e in events}
        rows = self.load(cur, ID_TAGS, known)
        touched: set[str] = set()
        for _, event in events:
            key = str(event.originator_id)
            touched.add(key)
            if isinstance(event, IdTag.Issued):
                rows[key] = _issued(event)
                continue
            row = rows[key]
            row["updated_at"] = utc_text(event.timestamp)
            if isinstance(event, IdTag.Updated):
                row.update(
                    status=event.status,
                    expiry_date=utc_text(event.expiry_date),
                    parent_id_tag=event.parent_id_tag,
                    max_active_transactions=event.max_active_transactions,
                )
            elif isinstance(event, IdTag.TransactionJoined):
                row["active_transactions"] += 1
            elif isinstance(event, IdTag.TransactionLeft):
                row["active_transactions"] -= 1
        changed = sorted((rows[key] for key in touched), key=lambda r: r["id_tag_key"])
        self.write(cur, ID_TAGS, changed)


def _issued(event: IdTag.Issued) -> Row:
    # The aggregate's initial state: unknown status until an Updated says otherwise.
    return {
        "id_tag_key": event.id_tag.casefold(),
        "uuid": str(event.originator_id),
        "id_tag": event.id_tag,
        "status": "Invalid",
        "expiry_date": None,
        "parent_id_tag": None,
        "max_active_transactions": 1,
        "active_transactions": 0,
        "updated_at": utc_text(event.timestamp),
    }
