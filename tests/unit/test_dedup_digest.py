"""Digests are the stdlib's sorted compact JSON, hashed: digests stored before the
faster encoder must still match a resend."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from domain.dedup import RecentDigests

SAMPLED = [{"value": "16.0", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]


def stdlib(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


@pytest.mark.parametrize("parts", [
    (1, 17, [{"timestamp": "2026-11-25T10:00:00Z", "sampledValue": SAMPLED}]),
    (2500, "2026-11-25T10:30:00Z", "Local", None, []),
    (1, None, [{"z": 1, "a": {"y": True, "b": 2.5}}]),
    (1, "Zürich ✓", [{"value": "é"}]),  # non-ASCII: the stdlib escapes it
])  # fmt: skip
def test_digest_matches_the_stdlib_encoding(parts: tuple[Any, ...]) -> None:
    assert RecentDigests.digest(*parts) == stdlib(*parts)
