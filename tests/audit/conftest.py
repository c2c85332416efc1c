"""A recorded history to audit: a real server, scripted stations, both stores."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from domain import commands
from domain.credentials import hash_password
from ops.audit import open_ledger
from ops.audit_store import Ledger
from ops.cli import main
from projections.event_index import EventIndexProjection
from projections.follower import ProjectionFollower
from tests.e2e.conftest import Csms, StartCsms, start_csms
from tests.e2e.station import AnsweringStation

__all__ = ["start_csms"]  # the e2e fixture, used here as well

CP2_PASSWORD = "cp2-secret"  # CP-2 uses security profile 1

# Each status step of the scenario, and what the connectors are once it is recorded.
STATUS_STEPS: list[tuple[int, str, str]] = [
    (1, "Available", "NoError"),
    (2, "Available", "NoError"),
    (2, "Faulted", "GroundFailure"),
    (1, "Preparing", "NoError"),
    (1, "Charging", "NoError"),
    (1, "Finishing", "NoError"),
    (1, "Available", "NoError"),
    (2, "Available", "NoError"),
]


def connectors_after(steps: int) -> dict[int, str]:
    """Connector statuses once the first `steps` status steps are recorded."""
    state: dict[int, str] = {}
    for connector, status, _ in STATUS_STEPS[:steps]:
        state[connector] = status
    return state


@dataclass
class Scenario:
    """What the story did, for the tests to check the audit against."""

    csms: Csms
    database_url: str
    transaction_id: int = 0
    start_message_id: str = ""
    operation_id: str = ""
    station: AnsweringStation | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ws_url(self) -> str:
        return str(self.csms.client.make_url("/ocpp")).replace("http://", "ws://")

    async def settle(self) -> None:
        """Every frame answered so far is journalled: the writer commits in order, so
        once a later command is committed, the journal rows queued before it are."""
        await self.csms.seed(commands.UpsertIdTag("TAG-1", "Accepted"))


async def _status_steps(
    station: AnsweringStation, steps: list[tuple[int, str, str]]
) -> None:
    for connector, status, error in steps:
        await station.status(connector, status, error)


@pytest.fixture
async def scenario(start_csms: StartCsms, database_url: str) -> Scenario:
    csms = await start_csms()
    await csms.seed(
        commands.RegisterStation("CP-1"),
        commands.RegisterStation("CP-2", hash_password(CP2_PASSWORD)),
        commands.UpsertIdTag("TAG-1", "Accepted"),
    )
    story = Scenario(csms, database_url)
    station = story.station = await csms.connect("CP-1")
    # CP-1 boots and reports both connectors Available; connector 2 then faults.
    await station.boot()
    await _status_steps(station, STATUS_STEPS[:3])
    # A driver charges on connector 1: start, meter values, stop.
    await _status_steps(station, STATUS_STEPS[3:4])
    start = await station.call(
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": "TAG-1",
            "meterStart": 1000,
            "timestamp": "2026-11-25T10:00:00Z",
        },
    )
    story.start_message_id, story.transaction_id = start[1], start[2]["transactionId"]
    await _status_steps(station, STATUS_STEPS[4:5])
    await station.result(
        "MeterValues",
        {
            "connectorId": 1,
            "transactionId": story.transaction_id,
            "meterValue": [
                {
                    "timestamp": "2026-11-25T10:05:00Z",
                    "sampledValue": [{"value": "1500"}],
                }
            ],
        },
    )
    await station.stop(
        story.transaction_id, 5000, "2026-11-25T10:30:00Z", reason="Local"
    )
    # The operator resets CP-1, which accepts.
    reset = asyncio.create_task(
        csms.gateway.call("CP-1", "Reset", {"type": "Soft"}, "alice")
    )
    frame = await station.expect_call("Reset")
    await station.reply(frame[1], {"status": "Accepted"})
    story.operation_id = str((await reset).operation_id)
    # The connectors become Available again; another station, CP-2, boots meanwhile.
    await _status_steps(station, STATUS_STEPS[5:])
    other = await csms.connect("CP-2", CP2_PASSWORD)
    await other.boot()
    await other.status(1, "Available")
    await story.settle()
    return story


@pytest.fixture
def ledger(scenario: Scenario) -> Iterator[Ledger]:
    with open_ledger(scenario.database_url) as opened:
        yield opened


def build_index(ledger: Ledger, prefix: str = "", batch_size: int = 1000) -> int:
    """Run the event index over everything stored (as the server's follower would)."""
    projection = EventIndexProjection(prefix)
    follower = ProjectionFollower(
        ledger.central, ledger.db, [projection], batch_size=batch_size
    )
    return follower.catch_up()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `chargeledger ARGV…` through its entry point: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse refusing an argument
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
