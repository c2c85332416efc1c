"""Printing for the audit commands: JSON lines by default (to pipe and diff), a table
for people (`--format table`), and a progress counter on stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TextIO

import orjson

from projections.history_render import Record as Record  # what the commands print

# Sources may yield None between records: "nothing more for now" (a follow loop about
# to wait), so what was printed reaches a pipe before the wait.
Stream = Iterable[Record | None]


def dumps(record: Any) -> str:
    return orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


@dataclass(frozen=True)
class Column:
    """One column of the table format: a header, a width, and what it shows."""

    header: str
    width: int
    value: Callable[[Record], Any]


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("json", "table"),
        default="json",
        help="json: one JSON object per line (default); table: aligned columns",
    )


def one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Bad arguments as one line on stderr (exit 2), like every other refusal."""

    def error(message: str) -> NoReturn:
        parser.exit(2, f"{parser.prog}: {message}\n")

    parser.error = error  # type: ignore[method-assign]
    return parser


def emit(
    stream: Stream,
    fmt: str,
    columns: Sequence[Column],
    *,
    progress: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Print every record of `stream`; returns how many. A closed pipe ends quietly."""
    out = out or sys.stdout
    count = 0
    try:
        if fmt == "table":
            out.write(_table_line(columns, {c.header: c.header for c in columns}, True))
        with Progress(progress) as meter:
            for record in stream:
                if record is None:
                    out.flush()
                    continue
                text = (
                    dumps(record) + "\n"
                    if fmt == "json"
                    else _table_line(columns, record)
                )
                out.write(text)
                count += 1
                meter.tick()
        out.flush()
    except BrokenPipeError:  # `chargeledger events | head`: the reader has had enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
    return count


def _table_line(columns: Sequence[Column], record: Record, header: bool = False) -> str:
    cells = []
    for i, column in enumerate(columns):
        value = record[column.header] if header else column.value(record)
        text = _cell(value)
        last = i == len(columns) - 1
        cells.append(text if last else text[: column.width].ljust(column.width))
    return "  ".join(cells).rstrip() + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return dumps(value)
    return str(value)


class Progress:
    """`label: N` on stderr, redrawn at most five times a second, only on a terminal."""

    def __init__(self, label: str | None, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._label = label
        self._on = label is not None and self._stream.isatty()
        self._count = 0
        self._drawn = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._on and self._count:
            self._draw()
            self._stream.write("\n")

    def tick(self, n: int = 1) -> None:
        self._count += n
        if self._on and time.monotonic() - self._drawn > 0.2:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        self._stream.write(f"\r{self._label}: {self._count:,}")
        self._stream.flush()
