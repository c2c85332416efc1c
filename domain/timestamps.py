"""Lenient ISO 8601 parsing and bounding of station-supplied timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_AHEAD = timedelta(days=1)


def parse_iso(raw: str) -> datetime | None:
    """Parse ISO 8601 with or without fractions, `Z` or an offset; naive means UTC."""
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except (ValueError, AttributeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class StationTime:
    """A station's timestamp: the time we use, and whether the raw value was trusted."""

    value: datetime
    raw: str | None
    trusted: bool


def station_time(raw: str | None, received_at: datetime) -> StationTime:
    """Rules §2.5 / T12: take 2000-01-01 .. now+1 day as given, else the receive time."""
    if raw is None:
        return StationTime(received_at, None, False)
    parsed = parse_iso(raw)
    if parsed is None or not (EARLIEST <= parsed <= received_at + MAX_AHEAD):
        return StationTime(received_at, raw, False)
    return StationTime(parsed, raw, True)


def iso_utc(value: datetime) -> str:
    """Answer in UTC with a `Z`, milliseconds only when present."""
    value = value.astimezone(UTC)
    text = value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    return text.replace("+00:00", "Z")
