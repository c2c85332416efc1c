"""A running write + read side on a real store, for projection and API tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from adapters.storage.eventstore import eventsourcing_env
from adapters.storage.transaction_ids import (
    PostgresTransactionIds,
    SqliteTransactionIds,
)
from domain.application import CentralSystem
from domain.commands import Command
from domain.policy import Policy
from domain.results import Handled
from domain.writer import CommandWriter
from projections.catalog import build_projections
from projections.database import Database, open_database
from projections.follower import ProjectionFollower
from projections.queries import SqlQueries
from tests.fakes import FixedClock

WAIT = 10.0  # seconds; generous for a loaded CI machine, never slept


@dataclass
class Ledger:
    url: str
    db: Database
    central: CentralSystem
    writer: CommandWriter
    follower: ProjectionFollower
    queries: SqlQueries

    @classmethod
    @contextmanager
    def open(cls, url: str, policy: Policy | None = None) -> Iterator[Ledger]:
        db = open_database(url)
        ids = (
            PostgresTransactionIds(db)
            if db.dialect == "postgresql"
            else SqliteTransactionIds(db)
        )
        central = CentralSystem(
            eventsourcing_env(url),
            transaction_ids=ids,
            policy=policy,
            clock=FixedClock(),
        )
        follower = ProjectionFollower(central, db, build_projections())
        central.on_recorded = follower.offer  # as serve does: hands over and wakes
        writer = CommandWriter(central)
        follower.start()
        writer.start()
        try:
            yield cls(url, db, central, writer, follower, SqlQueries(db))
        finally:
            writer.stop()
            follower.stop()
            central.close()
            db.close()

    def handle(self, *commands: Command) -> list[Handled]:
        """Submit commands in order, wait for each answer and for the read models."""
        handled = [self.writer.submit(c).result(WAIT) for c in commands]
        self.sync()
        return handled

    def sync(self) -> None:
        assert self.follower.wait(self.central.recorder.max_notification_id(), WAIT)

    def dump(self, prefix: str = "") -> list[dict[str, object]]:
        with self.db.transaction() as cur:
            return [
                row for p in build_projections(prefix=prefix) for row in p.dump(cur)
            ]
