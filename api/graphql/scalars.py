"""The DateTime scalar: ISO 8601 in UTC with `Z` out, lenient ISO 8601 in."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types.scalar import ScalarDefinition

from domain.timestamps import iso_utc, parse_iso


def _parse(value: object) -> datetime:
    parsed = parse_iso(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    return parsed


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date-time; answered in UTC (`2026-11-25T10:00:00Z`), "
    "accepted with or without fractions, `Z` or an offset (no offset means UTC).",
    serialize=iso_utc,
    parse_value=_parse,
)
