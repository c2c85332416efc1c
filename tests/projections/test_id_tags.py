"""Id tags view contract, on the SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from domain import commands as c
from tests.ledger import Ledger


def test_an_id_tag_shows_status_expiry_parent_and_limit(ledger: Ledger) -> None:
    ledger.handle(
        c.UpsertIdTag("Tag-1", "Accepted", "2027-01-01T00:00:00+01:00", "GROUP", 2)
    )

    tag = ledger.queries.get_id_tag("TAG-1")
    assert tag is not None
    assert (tag.id_tag, tag.status, tag.parent_id_tag) == ("Tag-1", "Accepted", "GROUP")
    assert tag.expiry_date == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert tag.max_active_transactions == 2


def test_an_upsert_in_another_spelling_updates_the_same_tag(ledger: Ledger) -> None:
    ledger.handle(c.UpsertIdTag("Tag-1", "Accepted"), c.UpsertIdTag("TAG-1", "Blocked"))

    (tag,) = ledger.queries.list_id_tags(first=10).items
    assert (tag.id_tag, tag.status, tag.expiry_date) == ("Tag-1", "Blocked", None)


def test_a_tag_counts_its_open_transactions(ledger: Ledger) -> None:
    ledger.handle(c.RegisterStation("CP-1"), c.UpsertIdTag("TAG-1", "Accepted"))
    (started,) = ledger.handle(
        c.StartTransaction("CP-1", 1, "TAG-1", 0, "2026-11-25T10:00:00Z")
    )
    assert ledger.queries.get_id_tag("tag-1").active_transactions == 1  # type: ignore[union-attr]

    number = started.result.transaction_id  # type: ignore[attr-defined]
    ledger.handle(c.StopTransaction("CP-1", number, 10, "2026-11-25T11:00:00Z"))
    assert ledger.queries.get_id_tag("tag-1").active_transactions == 0  # type: ignore[union-attr]


def test_id_tags_page_case_insensitively(ledger: Ledger) -> None:
    ledger.handle(*(c.UpsertIdTag(tag, "Accepted") for tag in ("b", "A", "c")))

    first = ledger.queries.list_id_tags(first=2)
    rest = ledger.queries.list_id_tags(first=2, after=first.items[-1].id_tag)
    assert [t.id_tag for t in first.items] == ["A", "b"] and first.has_next
    assert [t.id_tag for t in rest.items] == ["c"] and not rest.has_next
