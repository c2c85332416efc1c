"""`chargeledger export`: events and/or frames as JSON lines, and the replay of a
recorded station session against a running CSMS (`export replay-session`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import TextIO

from ops.audit import EventFilter, events, open_ledger, parse_time, station_aggregate
from ops.audit_journal import export, journal
from ops.audit_replay import iterate, read_export, recorded_calls, replay_session
from ops.audit_store import AuditError
from ops.commands.journal import add_time_range
from ops.output import Column, Record, add_format_argument, emit, one_line_errors
from ops.settings import add_database_argument, from_arguments
from projections.base import utc_text

EXPORT_COLUMNS = (
    Column("AT", 27, lambda r: r.get("recordedAt") or r["at"]),
    Column("RECORD", 6, lambda r: r["record"]),
    Column("STATION", 16, lambda r: r.get("stationId")),
    Column("WHAT", 34, lambda r: r.get("type") or f"{r['direction']} {r['action']}"),
    Column("DATA", 0, lambda r: r.get("data") or r.get("frame")),
)
REPLAY_COLUMNS = (
    Column("ACTION", 28, lambda r: r.get("action", "(CSMS call)")),
    Column("ANSWER", 60, lambda r: r.get("answer") or r.get("error") or r.get("frame")),
    Column("RECORDED ANSWER", 0, lambda r: r.get("recordedAnswer")),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = one_line_errors(
        subparsers.add_parser(
            "export",
            help="export events and/or journal frames as JSON lines; replay a session",
            description="chargeledger export [--events] [--journal] [--station ID] "
            "[--from TIME] [--to TIME] [--output FILE]: events (as `events` prints "
            "them, in log order) and journal frames (as `journal` prints them) "
            "merged by time; both unless one is asked for. "
            "chargeledger export replay-session --station ID --url "
            "ws://HOST:PORT/ocpp [--input FILE]: resend a recorded session's CALLs "
            "to a running CSMS as that station and print each answer beside the "
            "recorded one (see its --help).",
        )
    )
    parser.add_argument("--events", action="store_true", help="export events")
    parser.add_argument("--journal", action="store_true", help="export journal frames")
    parser.add_argument("--station", metavar="ID", help="only this station")
    add_time_range(parser)
    parser.add_argument("--output", metavar="FILE", help="write here (default stdout)")
    add_database_argument(parser)
    add_format_argument(parser)
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(
        dest="export_action", metavar="[replay-session]", title="optional action"
    )
    _register_replay(actions)


def _register_replay(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    replay = one_line_errors(
        actions.add_parser(
            "replay-session",
            help="resend a recorded station session to a running CSMS",
            description="Read the station's frames from the journal (--database) "
            "or from a file written by `export`/`journal` (--input), then send its "
            "CALLs in order to the CSMS at --url as that station (new message ids), "
            "waiting for each answer. Prints one JSON line per CALL: action, "
            "request, answer, recordedAnswer (and error); exits 1 when a CALL got "
            "no answer.",
        )
    )
    replay.add_argument("--station", metavar="ID", help="the station (required)")
    replay.add_argument(
        "--url",
        metavar="URL",
        help="the CSMS's OCPP base, e.g. ws://127.0.0.1:8180/ocpp "
        "(the station id is appended)",
    )
    replay.add_argument(
        "--input", metavar="FILE", help="JSON lines instead of the journal"
    )
    add_time_range(replay)
    replay.add_argument("--password", help="HTTP Basic password, if the CSMS wants one")
    replay.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="wait this long for each answer (default 30)",
    )
    add_database_argument(replay)
    add_format_argument(replay)
    replay.set_defaults(func=run_replay)


def _time_range(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    since = parse_time(args.since, "--from") if args.since else None
    until = parse_time(args.until, "--to") if args.until else None
    return since, until


def run(args: argparse.Namespace) -> int:
    since, until = _time_range(args)
    both = not (args.events or args.journal)
    with ExitStack() as stack:
        ledger = stack.enter_context(open_ledger(from_arguments(args).database))
        if args.station is not None:
            station_aggregate(ledger, args.station)
        found = events(ledger, EventFilter(args.station, since=since, until=until))
        frames = journal(ledger, args.station, since, until)
        merged = export(
            _records(found) if both or args.events else None,
            frames if both or args.journal else None,
        )
        out: TextIO = sys.stdout
        if args.output is not None:
            out = stack.enter_context(_open_output(args.output))
        emit(merged, args.format, EXPORT_COLUMNS, progress="records", out=out)
    return 0


def _records(stream: Iterable[Record | None]) -> Iterator[Record]:
    return (record for record in stream if record is not None)


def _open_output(path: str) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as error:
        raise AuditError(f"cannot write {path}: {error.strerror}") from None


def run_replay(args: argparse.Namespace) -> int:
    if args.station is None or args.url is None:
        raise AuditError("--station ID and --url ws://HOST:PORT/ocpp are required")
    if not args.url.startswith(("ws://", "wss://")):
        raise AuditError(f"--url: expected ws:// or wss://, got {args.url!r}")
    calls = recorded_calls(_recorded_frames(args), args.station)
    if not calls:
        raise AuditError(f"no recorded CALLs of station {args.station!r}")
    session = replay_session(
        calls, args.url, args.station, password=args.password, timeout=args.timeout
    )
    results: list[Record] = []
    emit(
        _kept(iterate(session), results), args.format, REPLAY_COLUMNS, progress="calls"
    )
    return 1 if any("error" in r for r in results) else 0


def _recorded_frames(args: argparse.Namespace) -> list[Record]:
    since, until = _time_range(args)
    if args.input is not None:
        low, high = utc_text(since) or "", utc_text(until) or "~"
        return [r for r in read_export(args.input) if low <= r["at"] <= high]
    with open_ledger(from_arguments(args).database) as ledger:
        station_aggregate(ledger, args.station)
        return list(journal(ledger, args.station, since, until))


def _kept(stream: Iterable[Record], kept: list[Record]) -> Iterator[Record]:
    for record in stream:
        kept.append(record)
        yield record
