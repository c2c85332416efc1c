"""The follower: tracking, resuming, read-your-writes, and sharing a database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from eventsourcing.persistence import Notification

from adapters.storage.eventstore import eventsourcing_env
from domain import commands as c
from domain.application import CentralSystem
from projections.catalog import PROJECTIONS, build_projections
from projections.database import open_database
from projections.follower import ProjectionFollower
from tests.ledger import WAIT, Ledger


def test_an_empty_database_gets_its_tables_and_positions_at_zero(
    database_url: str,
) -> None:
    db = open_database(database_url)
    central = CentralSystem(eventsourcing_env(database_url))
    follower = ProjectionFollower(central, db, build_projections())
    try:
        follower.start()
        assert follower.positions() == dict.fromkeys(PROJECTIONS, 0)
        assert follower.wait(None, timeout=0)
        assert not follower.wait(1, timeout=0.01)  # nothing stored yet
    finally:
        follower.stop()
        central.close()
        db.close()


def test_a_restarted_follower_resumes_without_applying_twice(ledger: Ledger) -> None:
    ledger.handle(c.RegisterBoot("CP-9", "ACME", "X9"))
    ledger.follower.stop()
    reached = ledger.central.recorder.max_notification_id()

    again = ProjectionFollower(ledger.central, ledger.db, build_projections())
    again.start()
    try:
        assert set(again.positions().values()) == {reached}
        ledger.writer.submit(c.RegisterBoot("CP-9", "ACME", "X9")).result(WAIT)
        assert again.wait(ledger.central.recorder.max_notification_id(), WAIT)
    finally:
        again.stop()
    (unknown,) = ledger.queries.list_unknown_stations(first=10).items
    assert unknown.attempts == 2


def test_events_from_another_node_are_found_by_polling(ledger: Ledger) -> None:
    # Another node's writer does not notify this follower: only polling finds it.
    other = CentralSystem(eventsourcing_env(ledger.url), transaction_ids=None)
    try:
        last = other.handle(c.RegisterBoot("CP-7", "ACME", "X7")).notification_id
    finally:
        other.close()
    quick = ProjectionFollower(
        ledger.central,
        ledger.db,
        build_projections(prefix="quick_"),
        poll_interval=0.05,
    )
    quick.start()
    try:
        assert quick.wait(last, WAIT)
    finally:
        quick.stop()


def test_two_followers_of_one_database_apply_each_event_once(ledger: Ledger) -> None:
    ledger.handle(*(c.RegisterBoot("CP-9", "ACME", "X9") for _ in range(40)))
    dbs = [open_database(ledger.url) for _ in range(2)]
    # Two followers of the same tables race, one event per batch, to the end.
    racers = [
        ProjectionFollower(
            ledger.central, db, build_projections(prefix="race_"), batch_size=1
        )
        for db in dbs
    ]
    try:
        for racer in racers:
            racer.setup()
        with ThreadPoolExecutor(2) as pool:
            reached = list(pool.map(lambda racer: racer.catch_up(), racers))
    finally:
        for db in dbs:
            db.close()
    assert reached == [ledger.central.recorder.max_notification_id()] * 2
    unknown = [
        r for r in ledger.dump(prefix="race_") if r["table"] == "unknown_stations_v1"
    ]
    assert [row["attempts"] for row in unknown] == [40]


def test_a_failing_batch_is_retried_until_it_succeeds(ledger: Ledger) -> None:
    ledger.follower.stop()
    follower = ProjectionFollower(
        ledger.central, ledger.db, build_projections(), poll_interval=0.01
    )
    follower.start()
    try:
        # A view table goes missing: the batch fails and nothing moves.
        with ledger.db.transaction() as cur:
            cur.execute("ALTER TABLE unknown_stations_v1 RENAME TO unknown_parked")
        boot = ledger.writer.submit(c.RegisterBoot("CP-9", "ACME", "X9")).result(WAIT)
        assert not follower.wait(boot.notification_id, timeout=0.2)
        assert follower.last_error is not None

        # It comes back: the follower resumes on its own and applies the batch once.
        with ledger.db.transaction() as cur:
            cur.execute("ALTER TABLE unknown_parked RENAME TO unknown_stations_v1")
        follower.notify()
        assert follower.wait(boot.notification_id, WAIT)
    finally:
        follower.stop()
    assert follower.last_error is None
    (unknown,) = ledger.queries.list_unknown_stations(first=10).items
    assert unknown.attempts == 1


def test_the_hook_sees_events_read_back_as_the_recorder_gives_them(
    ledger: Ledger,
) -> None:
    # Events stored earlier (or by another node) are read from the store, not handed
    # over: the hook still gets every one, as eventsourcing's own notifications.
    ledger.handle(c.RegisterBoot("CP-9", "ACME", "X9"), c.RegisterStation("CP-9"))
    seen: list[Notification] = []
    follower = ProjectionFollower(
        ledger.central,
        ledger.db,
        build_projections(prefix="hooked_"),
        batch_size=2,
        on_notifications=seen.extend,
    )
    head = ledger.central.recorder.max_notification_id()
    assert follower.catch_up() == head
    assert seen == ledger.central.recorder.select_notifications(1, head)
