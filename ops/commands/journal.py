"""`chargeledger journal`: a station's raw OCPP frames, in and out."""

from __future__ import annotations

import argparse
import itertools

from ops.audit import open_ledger, parse_time, station_aggregate
from ops.audit_journal import journal
from ops.audit_store import AuditError
from ops.output import Column, add_format_argument, emit, one_line_errors
from ops.settings import add_database_argument, from_arguments

FRAME_COLUMNS = (
    Column("ID", 9, lambda r: r["id"]),
    Column("AT", 27, lambda r: r["at"]),
    Column("STATION", 16, lambda r: r["stationId"]),
    Column("DIR", 4, lambda r: r["direction"]),
    Column("ACTION", 30, lambda r: r["action"]),
    Column(
        "FRAME", 0, lambda r: r["frame"] if r["frame"] is not None else r.get("raw")
    ),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = one_line_errors(
        subparsers.add_parser(
            "journal",
            help="print a station's raw OCPP frames in and out",
            description="Print the journalled frames of one station in order, one JSON "
            "object per line: id, stationId, direction (in|out), at, messageType, "
            "messageId, action, frame (the parsed frame; `raw` text when it was "
            "malformed). Times are ISO 8601, both bounds inclusive.",
        )
    )
    parser.add_argument("--station", metavar="ID", help="the station (required)")
    add_time_range(parser)
    parser.add_argument(
        "--after",
        type=int,
        default=0,
        metavar="ID",
        help="only frames after this journal id",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="stop after N frames")
    add_database_argument(parser)
    add_format_argument(parser)
    parser.set_defaults(func=run)


def add_time_range(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="since", metavar="TIME", help="at or after TIME")
    parser.add_argument("--to", dest="until", metavar="TIME", help="at or before TIME")


def run(args: argparse.Namespace) -> int:
    if args.station is None:
        raise AuditError("--station ID is required")
    since = parse_time(args.since, "--from") if args.since else None
    until = parse_time(args.until, "--to") if args.until else None
    with open_ledger(from_arguments(args).database) as ledger:
        station_aggregate(ledger, args.station)
        frames = journal(ledger, args.station, since, until, args.after)
        emit(
            itertools.islice(frames, args.limit),
            args.format,
            FRAME_COLUMNS,
            progress="frames",
        )
    return 0
