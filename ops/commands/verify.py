"""`chargeledger verify [PROJECTION…] [--integrity]`: is what we show what happened?"""

from __future__ import annotations

import argparse

from ops.audit import open_ledger
from ops.commands.replay import check_names
from ops.integrity import verify_integrity
from ops.output import dumps
from ops.replay import verify
from ops.settings import add_database_argument, from_arguments
from projections.catalog import PROJECTIONS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="compare read models with a rebuild; check the hash chain",
        description="Rebuild the named read models (all by default) into scratch "
        "tables up to each live view's position and report any row that differs. "
        "--integrity recomputes every aggregate's hash chain and reports the first "
        "broken link (edited, deleted or inserted event). Exit 1 on any difference.",
    )
    parser.add_argument("projections", nargs="*", metavar="PROJECTION")
    parser.add_argument("--integrity", action="store_true",
                        help="check the hash chains (only, unless projections are named)")  # fmt: skip
    add_database_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    names = check_names(args.projections)
    failed = False
    with open_ledger(from_arguments(args).database) as ledger:
        if args.integrity:
            breaks = verify_integrity(ledger.db)
            failed |= bool(breaks)
            for found in breaks:
                print(dumps({"integrity": "broken", "aggregate": found.originator_id,
                             "version": found.version, "problem": found.problem}))  # fmt: skip
            if not breaks:
                print(dumps({"integrity": "ok"}))
        if names or not args.integrity:
            differences = {d.name: d for d in verify(ledger.central, ledger.db, names)}
            failed |= bool(differences)
            for name in names or sorted(PROJECTIONS):
                found = differences.get(name)
                record = ({"projection": name, "status": "ok"} if found is None else
                          {"projection": name, "status": "different", "position": found.position,
                           "liveRows": found.live_rows, "rebuiltRows": found.rebuilt_rows,
                           "examples": found.examples})  # fmt: skip
                print(dumps(record))
    return 1 if failed else 0

