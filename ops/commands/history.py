"""`chargeledger history`: one aggregate's events in order, with what caused each."""

from __future__ import annotations

import argparse
from uuid import UUID

from ops.audit import (
    any_aggregate,
    open_ledger,
    reservation_aggregate,
    station_aggregate,
    transaction_aggregate,
)
from ops.audit_history import history
from ops.audit_store import AuditError, Ledger
from ops.commands.events import EVENT_COLUMNS
from ops.output import Column, add_format_argument, emit, one_line_errors
from ops.settings import add_database_argument, from_arguments

SELECTORS = ("--station", "--transaction", "--reservation", "--aggregate")
HISTORY_COLUMNS = (
    *EVENT_COLUMNS[:-1],
    Column("CAUSE", 34, lambda r: _cause(r["cause"])),
    EVENT_COLUMNS[-1],
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = one_line_errors(
        subparsers.add_parser(
            "history",
            help="print one aggregate's events in order, with their causes",
            description="Print the events of one station, transaction (by its "
            "OCPP transactionId), reservation or any aggregate, in order, as JSON "
            "lines like `events` plus `cause`: the station CALL (action, messageId, "
            "journalId) or the operator request behind the event, or null when none "
            "can be told. "
            "Give exactly one of " + ", ".join(SELECTORS) + ".",
        )
    )
    add_aggregate_selectors(parser, reservation=True)
    add_database_argument(parser)
    add_format_argument(parser)
    parser.set_defaults(func=run)


def add_aggregate_selectors(
    parser: argparse.ArgumentParser, *, reservation: bool
) -> None:
    parser.add_argument("--station", metavar="ID", help="a station (chargePointId)")
    parser.add_argument(
        "--transaction",
        type=int,
        metavar="N",
        help="a transaction by its OCPP transactionId",
    )
    if reservation:
        parser.add_argument(
            "--reservation",
            type=int,
            metavar="N",
            help="a reservation by its OCPP reservationId",
        )
    parser.add_argument("--aggregate", metavar="UUID", help="any aggregate by its id")


def selected(args: argparse.Namespace, ledger: Ledger) -> tuple[UUID, str]:
    """The one aggregate the arguments name, and how to call it in messages."""
    given = [s for s in SELECTORS if getattr(args, s[2:], None) is not None]
    if len(given) != 1:
        options = [s for s in SELECTORS if hasattr(args, s[2:])]
        raise AuditError(f"give exactly one of {', '.join(options)}")
    if args.station is not None:
        return station_aggregate(ledger, args.station), f"station {args.station}"
    if args.transaction is not None:
        return (
            transaction_aggregate(ledger, args.transaction),
            f"transaction {args.transaction}",
        )
    if getattr(args, "reservation", None) is not None:
        return (
            reservation_aggregate(ledger, args.reservation),
            f"reservation {args.reservation}",
        )
    return any_aggregate(ledger, args.aggregate), f"aggregate {args.aggregate}"


def run(args: argparse.Namespace) -> int:
    with open_ledger(from_arguments(args).database) as ledger:
        aggregate_id, _ = selected(args, ledger)
        emit(
            history(ledger, aggregate_id),
            args.format,
            HISTORY_COLUMNS,
            progress="events",
        )
    return 0


def _cause(cause: dict[str, str] | None) -> str | None:
    if cause is None:
        return None
    if cause["by"] == "station":
        return f"{cause['action']} #{cause['messageId']}"
    return f"operator {cause.get('requestedBy') or ''}".strip()
