"""One share of a split SQLite rebuild, in its own process (see ops.replay_split).

Reads a job as JSON, its one argument (ledger, scratch file, table prefix, views
and parts, position to stop at), builds those views into the scratch file with the
same follower as every rebuild, and prints the position reached. Imports only the
domain and the projections: the process starts while the parent already builds.
"""

from __future__ import annotations

import json
import sys

from adapters.storage.eventstore import eventsourcing_env
from domain.application import CentralSystem
from ops.replay import REBUILD_BATCH, no_cyclic_gc
from ops.replay_split import Share
from projections.catalog import build_projections
from projections.database import SqliteDatabase
from projections.follower import ProjectionFollower


def main() -> None:
    job = json.loads(sys.argv[1])
    share = Share(job["names"], job["parts"], ranges=job["ranges"])
    whole = build_projections(
        share.names + sorted(share.parts), prefix=job["prefix"], secondary=False
    )
    projections = share.projections(whole)
    central = CentralSystem(eventsourcing_env(job["ledger"], create_table=False))
    db = SqliteDatabase(job["ledger"], scratch=job["file"])
    try:
        follower = ProjectionFollower(
            central, db, projections, batch_size=REBUILD_BATCH,
            ids=share.ids(projections),
        )
        with no_cyclic_gc():
            position = follower.catch_up(until=job["until"])
    finally:
        db.close()
        central.close()
    # At once: the parent merges from here, while this interpreter exits.
    print(json.dumps({"position": position}), flush=True)


if __name__ == "__main__":
    main()
