"""The view contracts run on a real write side and follower, on each store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ledger import Ledger


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    """The real write side (writer thread) and read side (follower thread)."""
    with Ledger.open(database_url) as running:
        yield running
