"""Content digests of recently applied messages, so a resent message changes nothing."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from typing import Any

import orjson

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
        return hashlib.blake2b(_canonical(parts), digest_size=12).hexdigest()

    def __contains__(self, digest: str) -> bool:
        return digest in self._order

    def add(self, digest: str) -> None:
        self._order.append(digest)


def _canonical(parts: tuple[Any, ...]) -> bytes:
    """Sorted-key compact JSON, as the stdlib writes it (digests already stored must
    still match a resend): orjson gives the same bytes for ASCII text, ten times
    faster; anything else takes the stdlib path."""
    try:
        blob = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        blob = b"\x80"  # not plain JSON (e.g. a datetime): the stdlib decides
    if blob.isascii():
        return blob
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return text.encode()
