"""`python -m ops.writer_speed`: the bench mix through the real write path."""

from __future__ import annotations

import subprocess
import sys

import orjson

from domain import commands as c
from domain.station import Station
from ops import writer_speed
from ops.settings import Settings
from ops.store import open_central
from projections.database import open_database


def test_every_session_of_the_mix_is_committed_whole(database_url: str) -> None:
    db = open_database(database_url)
    central = open_central(Settings(database=database_url, unknown_stations="accept"), db)
    try:
        sessions = [writer_speed.Session(i) for i in range(4)]
        central.handle(c.UpsertIdTag(writer_speed.ID_TAG, "Accepted"))
        central.handle_batch([c.RegisterBoot(s.name, "ACME", "X1") for s in sessions])
        # Two whole sessions each (Start, MeterValues ×3, Stop), two commands a batch.
        writer_speed.run(central, sessions, 2 * 5 * len(sessions), 2)
        for session in sessions:
            station = central.repository.get(Station.create_id(session.name))
            assert station.occupied == {}  # both transactions stopped
            assert session.connector == 1 and session.meter_wh == 2 * 3 * 250
        journal = db.ledger.query("SELECT COUNT(*) AS n FROM chargeledger_journal")
        assert journal[0]["n"] == 2 * 2 * 5 * len(sessions)  # frame and answer each
    finally:
        central.close()
        db.close()


def test_the_command_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ops.writer_speed", "--commands", "200", "--batch", "20"],
        capture_output=True, check=True, timeout=120,
    )
    figures = orjson.loads(done.stdout)
    assert figures["store"] == "sqlite" and figures["commands"] == 200
    assert figures["commandsPerSecond"] > 0
