"""Many rows in a few statements on SQLite.

Python's sqlite3 releases the GIL around every step, and `executemany` steps once per
row. While the event loop is busy, each step then waits for the GIL to come back (up
to the switch interval): measured, 100 rows took 12 ms instead of 0.8 ms next to a
busy thread. One multi-row `VALUES` statement steps once. Chunk sizes are powers of
two, so a handful of statement texts per table stay in the connection's cache.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Any, Protocol

MAX_ROWS = 256  # rows per statement (its text is parsed once per size, then cached)
MAX_VARIABLES = 32_766  # SQLite's default bound on ? placeholders per statement
MARK = re.compile(r"\?")
_GROUP = re.compile(r"\bVALUES\s*(\((?:[^()]|\([^()]*\))*\))", re.IGNORECASE)


class _Executes(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...


def execute_values(
    cursor: _Executes, statement: str, rows: Sequence[Sequence[Any]]
) -> None:
    """`cursor.executemany(statement, rows)` in as few statements as sizes allow.

    `statement` has one `VALUES (…)` group of `?` marks (an upsert may follow it,
    reading `excluded.*`). Rows are written in order, so rowids stay consecutive."""
    if not rows:
        return
    width = len(rows[0])
    largest = max(1, min(MAX_ROWS, MAX_VARIABLES // max(width, 1)))
    start = 0
    while start < len(rows):
        size = min(_power_of_two_at_most(len(rows) - start), largest)
        chunk = rows[start : start + size]
        # chain: the rows' values in one C-level pass (a nested comprehension
        # took twice as long, and a rebuild flattens every row it writes).
        params = chunk[0] if size == 1 else list(chain.from_iterable(chunk))
        cursor.execute(_repeated(statement, size), params)
        start += size


def _power_of_two_at_most(n: int) -> int:
    return 1 << (n.bit_length() - 1)


def values_group(statement: str) -> re.Match[str]:
    """`VALUES (…)` in `statement`; group 1 is its parenthesised marks."""
    match = _GROUP.search(statement)
    if match is None:
        raise ValueError(f"no VALUES (…) group in {statement!r}")
    return match


@lru_cache(maxsize=512)
def _repeated(statement: str, size: int) -> str:
    if size > 1:
        match = values_group(statement)
        values = ", ".join([match.group(1)] * size)
        statement = f"{statement[: match.start(1)]}{values}{statement[match.end(1) :]}"
    return statement
