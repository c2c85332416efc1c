"""`chargeledger state`: a station or transaction as it was at a point in time."""

from __future__ import annotations

import argparse
import sys

from ops.audit import open_ledger, parse_time
from ops.audit_history import state_at
from ops.audit_store import AuditError
from ops.commands.history import add_aggregate_selectors, selected
from ops.output import Record, add_format_argument, dumps, one_line_errors
from ops.settings import add_database_argument, from_arguments


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = one_line_errors(
        subparsers.add_parser(
            "state",
            help="show an aggregate as it was at a point in time (time travel)",
            description="Rebuild a station, transaction or any aggregate from the "
            "events recorded up to --at TIME (inclusive) and print it as one JSON "
            "object: its version, the time of its last event, and its state (a "
            "station's registration, connectors with status and errorCode, occupied "
            "connectors). Which connectors were Faulted at 03:00 yesterday? "
            "chargeledger state --station CP-1 --at 2026-11-24T03:00:00Z",
        )
    )
    add_aggregate_selectors(parser, reservation=False)
    parser.add_argument(
        "--at", metavar="TIME", help="ISO 8601 time (Z or an offset; naive means UTC)"
    )
    add_database_argument(parser)
    add_format_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.at is None:
        raise AuditError("--at TIME is required")
    at = parse_time(args.at, "--at")
    with open_ledger(from_arguments(args).database) as ledger:
        aggregate_id, label = selected(args, ledger)
        record = state_at(ledger, aggregate_id, at, label)
    sys.stdout.write(dumps(record) + "\n" if args.format == "json" else _table(record))
    return 0


def _table(record: Record) -> str:
    state = dict(record["state"])
    connectors = state.pop("connectors", None)
    head = {key: record[key] for key in ("at", "version", "recordedAt")}
    head["aggregate"] = f"{record['aggregate']['kind']} {record['aggregate']['id']}"
    lines = [f"{key:<22}{_text(value)}" for key, value in {**head, **state}.items()]
    if connectors is not None:
        lines += ["", f"{'CONNECTOR':<11}{'STATUS':<16}{'ERROR CODE':<24}TIMESTAMP"]
        lines += [
            f"{c['connector_id']:<11}{c['status']:<16}{c['error_code']:<24}"
            f"{c['timestamp']}"
            for c in connectors
        ]
    return "\n".join(lines) + "\n"


def _text(value: object) -> str:
    return dumps(value) if isinstance(value, dict | list) else str(value)
