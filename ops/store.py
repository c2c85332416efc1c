"""What every process that writes the store builds it with, without the web stack
(the writer process imports only this, not aiohttp or strawberry)."""

from __future__ import annotations

from adapters.storage.eventstore import eventsourcing_env
from adapters.storage.transaction_ids import (
    PostgresTransactionIds,
    SqliteTransactionIds,
)
from domain.application import CentralSystem
from ops.settings import Settings
from projections.database import Database

PROJECTION_COALESCE = 0.05  # seconds between projection batches while busy


def open_central(settings: Settings, db: Database) -> CentralSystem:
    ids = PostgresTransactionIds(db) if settings.is_postgres else SqliteTransactionIds(db)
    return CentralSystem(
        eventsourcing_env(settings.database), transaction_ids=ids, policy=settings.policy()
    )
