"""Prepare a store for `chargeledger bench` against `chargeledger serve`.

    python -m ops.bench.seed --database ./bench.sqlite3 [--stations N]

Registers the generator's default id tag (BENCH-TAG, usable by every simulated station
at once) and one tag per station id (BENCH-00000…), all Accepted, through the real
write path. Serve with `--unknown-stations accept` so the stations boot Accepted.
"""

from __future__ import annotations

import argparse

from domain import commands
from ops.store import open_central
from ops.settings import Settings
from projections.database import open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--prefix", default="BENCH-")
    args = parser.parse_args()
    db = open_database(args.database)
    central = open_central(Settings(database=args.database), db)
    tags = [commands.UpsertIdTag("BENCH-TAG", "Accepted", max_active_transactions=10**6)]
    tags += [commands.UpsertIdTag(f"{args.prefix}{i:05d}", "Accepted")
             for i in range(args.stations)]  # fmt: skip
    for start in range(0, len(tags), 500):
        central.handle_batch(tags[start : start + 500], optimistic=False)
    central.close()
    db.close()
    print(f"seeded {len(tags)} id tags")


if __name__ == "__main__":
    main()
