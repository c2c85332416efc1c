"""Unknown stations view contract, on the SQLite file and on PostgreSQL."""

from __future__ import annotations

from domain import commands as c
from tests.ledger import Ledger


def test_boots_and_failed_logins_of_unknown_stations_are_counted(
    ledger: Ledger,
) -> None:
    ledger.handle(
        c.RegisterBoot("CP-9", "ACME", "X9"),
        c.RecordAuthenticationFailure("CP-9", "wrong password"),
        c.RegisterBoot("CP-9", "ACME", "X9b"),
    )

    (unknown,) = ledger.queries.list_unknown_stations(first=10).items
    assert (unknown.id, unknown.attempts) == ("CP-9", 3)
    assert (unknown.vendor, unknown.model, unknown.last_answer) == (
        "ACME",
        "X9b",
        "Rejected",
    )
    assert unknown.first_seen < unknown.last_seen


def test_a_registered_station_leaves_the_list_for_good(ledger: Ledger) -> None:
    ledger.handle(
        c.RegisterBoot("CP-9", "ACME", "X9"), c.RegisterBoot("CP-8", "ACME", "X8")
    )
    ledger.handle(c.RegisterStation("CP-9"), c.RegisterBoot("CP-9", "ACME", "X9"))

    assert [s.id for s in ledger.queries.list_unknown_stations(first=10).items] == [
        "CP-8"
    ]


def test_stations_registered_up_front_are_never_listed(ledger: Ledger) -> None:
    ledger.handle(c.RegisterStation("CP-1"), c.RegisterBoot("CP-1", "ACME", "X1"))

    assert ledger.queries.list_unknown_stations(first=10).items == []


def test_unknown_stations_page_by_id(ledger: Ledger) -> None:
    ledger.handle(*(c.RegisterBoot(f"CP-{n}", "ACME", "X") for n in range(3)))

    first = ledger.queries.list_unknown_stations(first=2)
    rest = ledger.queries.list_unknown_stations(first=2, after=first.items[-1].id)
    assert [s.id for s in first.items] == ["CP-0", "CP-1"] and first.has_next
    assert [s.id for s in rest.items] == ["CP-2"] and not rest.has_next
