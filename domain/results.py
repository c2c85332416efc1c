"""What command handlers and queries answer: plain values the adapters translate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IdTagInfo:
    status: str  # Accepted | Blocked | Expired | Invalid | ConcurrentTx
    expiry_date: datetime | None = None
    parent_id_tag: str | None = None


@dataclass(frozen=True)
class BootResult:
    status: str  # Accepted | Pending | Rejected
    interval: int
    current_time: datetime


@dataclass(frozen=True)
class StartResult:
    transaction_id: int
    id_tag_info: IdTagInfo


@dataclass(frozen=True)
class StopResult:
    id_tag_info: IdTagInfo | None


@dataclass(frozen=True)
class Handled:
    """A handled command: its answer and the notification id of its last event."""

    result: object
    notification_id: int | None
