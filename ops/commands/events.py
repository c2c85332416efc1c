"""`chargeledger events`: the global event log, filtered, and followed as it grows."""

from __future__ import annotations

import argparse

from ops.audit import (
    EventFilter,
    any_aggregate,
    event_types,
    events,
    open_ledger,
    parse_time,
    station_aggregate,
)
from ops.audit_store import Ledger
from ops.output import Column, add_format_argument, emit, one_line_errors
from ops.settings import add_database_argument, from_arguments

EVENT_COLUMNS = (
    Column("POSITION", 9, lambda r: r["position"]),
    Column("RECORDED AT", 27, lambda r: r["recordedAt"]),
    Column("TYPE", 34, lambda r: r["type"]),
    Column("STATION", 16, lambda r: r.get("stationId")),
    Column("DATA", 0, lambda r: r["data"]),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = one_line_errors(
        subparsers.add_parser(
            "events",
            help="print the global event log (all of it without filters)",
            description="Print stored events in log order, one JSON object per "
            "line: position, recordedAt, type, aggregate {kind, id}, version, "
            "stationId and transactionId (where there is one) and data. Filters "
            "combine; times are ISO 8601 (Z or an offset; naive means UTC), both "
            "bounds inclusive. Safe while a server runs.",
        )
    )
    add_event_filters(parser)
    parser.add_argument(
        "--after",
        type=int,
        default=0,
        metavar="POSITION",
        help="only events after this global position",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="stop after N events")
    parser.add_argument(
        "--follow",
        action="store_true",
        help="after the stored events, keep printing new ones until interrupted",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="--follow: longest wait between polls (default 1)",
    )
    add_database_argument(parser)
    add_format_argument(parser)
    parser.set_defaults(func=run)


def add_event_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--station",
        metavar="ID",
        help="events of this station, its transactions and operations",
    )
    parser.add_argument("--aggregate", metavar="UUID", help="events of one aggregate")
    parser.add_argument(
        "--type",
        dest="types",
        action="extend",
        nargs="+",
        metavar="TYPE",
        help="event types, e.g. Station.ConnectorStatusChanged or just "
        "ConnectorStatusChanged (repeatable)",
    )
    parser.add_argument(
        "--from", dest="since", metavar="TIME", help="recorded at or after TIME"
    )
    parser.add_argument(
        "--to", dest="until", metavar="TIME", help="recorded at or before TIME"
    )


def event_filter(
    args: argparse.Namespace, ledger: Ledger, after: int = 0
) -> EventFilter:
    """The filter the arguments describe; names are checked against the store."""
    if args.station is not None:
        station_aggregate(ledger, args.station)
    return EventFilter(
        station=args.station,
        aggregate=any_aggregate(ledger, args.aggregate) if args.aggregate else None,
        types=event_types(args.types or ()),
        since=parse_time(args.since, "--from") if args.since else None,
        until=parse_time(args.until, "--to") if args.until else None,
        after=after,
    )


def run(args: argparse.Namespace) -> int:
    with open_ledger(from_arguments(args).database) as ledger:
        flt = event_filter(args, ledger, args.after)
        found = events(
            ledger, flt, limit=args.limit, follow=args.follow, interval=args.interval
        )
        emit(
            found,
            args.format,
            EVENT_COLUMNS,
            progress=None if args.follow else "events",
        )
    return 0
