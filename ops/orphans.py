"""Operator calls whose node stopped before the station answered are closed as failed.

A call is never re-sent on its own (ARCHITECTURE.md §5): the operator sees it failed
and decides. Any node may close them; the first outcome recorded stands.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.commands import RecordOperationOutcome
from domain.operation import DISCONNECTED
from domain.writer import CommandWriter
from projections.base import utc_text
from projections.database import Database
from projections.operations import OPERATIONS

WHY = "no outcome was recorded: the node holding the call stopped before an answer"


def close_orphaned_operations(db: Database, writer: CommandWriter, before: datetime) -> int:
    """Record Disconnected for every call requested before `before` still open."""
    rows = db.query(
        f"SELECT uuid FROM {OPERATIONS.name} WHERE outcome IS NULL AND requested_at < ?",
        (utc_text(before),),
    )
    futures = [
        writer.submit(RecordOperationOutcome(UUID(row["uuid"]), DISCONNECTED, None, WHY))
        for row in rows
    ]
    for future in futures:
        future.result(timeout=60)
    return len(futures)
