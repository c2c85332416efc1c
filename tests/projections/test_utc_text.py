"""Times in the views: fixed-width UTC text, so they sort and compare as time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from projections.base import utc_text

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "2026-11-25T10:00:00.000000Z"),
        (datetime(2026, 11, 25, 10, 0, 0, 5), "2026-11-25T10:00:00.000005Z"),  # naive
        (
            datetime(2026, 11, 25, 12, 0, 0, 123456, timezone(timedelta(hours=2))),
            "2026-11-25T10:00:00.123456Z",
        ),
        (datetime(2026, 1, 5, 9, 30, tzinfo=LONDON), "2026-01-05T09:30:00.000000Z"),
        (datetime(2026, 7, 5, 9, 30, tzinfo=LONDON), "2026-07-05T08:30:00.000000Z"),
        (datetime(5, 1, 1, tzinfo=UTC), "0005-01-01T00:00:00.000000Z"),
        (None, None),
    ],
)
def test_times_are_written_as_fixed_width_utc_text(
    value: datetime | None, text: str | None
) -> None:
    assert utc_text(value) == text
