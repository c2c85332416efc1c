"""Replay as a property: any station scenario, rebuilt from the events, gives the
read models the live system built (seeded random scenarios, both stores)."""

from __future__ import annotations

import random

import pytest

from domain import commands as c
from ops.replay import replay, verify
from tests.ledger import Ledger

STATUSES = ("Available", "Preparing", "Charging", "SuspendedEV", "Finishing", "Faulted")
TAGS = ("TAG-A", "TAG-B", "tag-a", "UNKNOWN", "BLOCKED")


def random_commands(rng: random.Random, count: int) -> list[c.Command]:
    """Boots, statuses, starts (some resent), meter values, stops (some unknown,
    some repeated), operator calls: whatever order the dice give."""
    stations = [f"CP-{i}" for i in range(3)]
    cmds: list[c.Command] = [c.RegisterStation(s) for s in stations[:2]]
    cmds += [c.UpsertIdTag("TAG-A", "Accepted", max_active_transactions=2),
             c.UpsertIdTag("TAG-B", "Accepted", parent_id_tag="GROUP"),
             c.UpsertIdTag("BLOCKED", "Blocked")]  # fmt: skip
    for step in range(count):
        station, connector = rng.choice(stations), rng.randint(0, 2)
        stamp = f"2026-11-25T{10 + step // 60:02d}:{step % 60:02d}:00Z"
        kind = rng.randrange(7)
        if kind == 0:
            cmds.append(c.RegisterBoot(station, "ACME", rng.choice(["X1", "X2"])))
        elif kind == 1:
            cmds.append(c.UpdateConnectorStatus(station, connector, rng.choice(STATUSES),
                                                "NoError", timestamp=stamp))  # fmt: skip
        elif kind == 2:
            cmds.append(c.StartTransaction(station, max(connector, 1), rng.choice(TAGS),
                                           step, rng.choice([stamp, "2026-11-25T09:00:00Z"])))  # fmt: skip
        elif kind == 3:
            sample = [{"timestamp": stamp, "sampledValue": [{"value": str(step)}]}]
            cmds.append(c.RecordMeterValues(station, connector, sample,
                                            rng.choice([None, rng.randint(1, 20)])))  # fmt: skip
        elif kind == 4:
            cmds.append(c.StopTransaction(station, rng.randint(-1, 20), step + 5, stamp,
                                          reason=rng.choice([None, "Local", "Remote"])))  # fmt: skip
        elif kind == 5:
            cmds.append(c.RequestOperation(station, "Reset", {"type": "Soft"}, "op"))
        else:
            cmds.append(c.RecordDataTransfer(station, "v", None, None, "UnknownVendorId"))
    return cmds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replay_of_a_random_scenario_equals_the_live_views(
    database_url: str, seed: int
) -> None:
    with Ledger.open(database_url) as ledger:
        # A random scenario runs live; refused commands (not Accepted) are part of it.
        for command in random_commands(random.Random(seed), 120):
            try:
                ledger.handle(command)
            except Exception as refused:  # a domain refusal, as a station would get
                assert type(refused).__name__.endswith("Error"), refused
        live = ledger.dump()
        # Replay rebuilds every view and switches; verify finds no difference.
        replay(ledger.central, ledger.db)
        assert ledger.dump() == live
        assert verify(ledger.central, ledger.db) == []
