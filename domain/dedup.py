"""Content digests of recently applied messages, so a resent message changes nothing."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from typing import Any

# Stations resend within minutes (TransactionMessageRetryInterval × attempts); a short
# memory per aggregate is enough and keeps aggregates small (ARCHITECTURE.md §9).
REMEMBERED = 32


class RecentDigests:
    """A bounded, ordered set of message digests, rebuilt deterministically on replay."""

    def __init__(self, digests: list[str] | None = None) -> None:
        self._order: deque[str] = deque(digests or (), maxlen=REMEMBERED)

    def as_list(self) -> list[str]:
        return list(self._order)

    @staticmethod
    def digest(*parts: Any) -> str:
        blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()

    def __contains__(self, digest: str) -> bool:
        return digest in self._order

    def add(self, digest: str) -> None:
        self._order.append(digest)
