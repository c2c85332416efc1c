"""`chargeledger replay [PROJECTION…]`: rebuild read models from the event log."""

from __future__ import annotations

import argparse
import sys
import time

from ops.audit import open_ledger
from ops.cli import CliError
from ops.output import Progress, dumps
from ops.replay import replay
from ops.settings import add_database_argument, from_arguments
from projections.catalog import PROJECTIONS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="rebuild read models from the events",
        description="Rebuild the named read models (all by default) from the event "
        "log beside the live ones, then switch to them in one transaction. Safe while "
        f"a server runs. Projections: {', '.join(sorted(PROJECTIONS))}.",
    )
    parser.add_argument("projections", nargs="*", metavar="PROJECTION")
    add_database_argument(parser)
    parser.set_defaults(func=run)


def check_names(names: list[str]) -> list[str] | None:
    unknown = sorted(set(names) - PROJECTIONS.keys())
    if unknown:
        raise CliError(f"unknown projection {', '.join(unknown)} "
                       f"(known: {', '.join(sorted(PROJECTIONS))})")  # fmt: skip
    return names or None


def run(args: argparse.Namespace) -> int:
    names = check_names(args.projections)
    with open_ledger(from_arguments(args).database) as ledger:
        head = ledger.central.recorder.max_notification_id() or 0
        started = time.perf_counter()
        with Progress(f"replaying {head:,} events, at") as meter:
            reached = [0]

            def progress(at: int) -> None:
                meter.tick(at - reached[0])
                reached[0] = at

            report = replay(ledger.central, ledger.db, names, progress=progress)
        seconds = time.perf_counter() - started
    for item in report:
        print(dumps({"projection": item.name, "position": item.position, "rows": item.rows}))
    rate = round(head / seconds) if seconds else None
    print(dumps({"events": head, "seconds": round(seconds, 3), "eventsPerSecond": rate}))
    sys.stdout.flush()
    return 0

