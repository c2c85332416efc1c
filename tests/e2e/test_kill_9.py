"""Ack after commit: what a station got an answer for survives kill -9 of the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.storage.eventstore import eventsourcing_env
from domain import commands
from domain.application import CentralSystem
from domain.transaction_number import TransactionNumber
from tests.e2e.processes import ServerProcess


@pytest.fixture
def server(database_url: str) -> Iterator[ServerProcess]:
    central = CentralSystem(eventsourcing_env(database_url))
    central.handle(commands.RegisterStation("CP-K"))
    central.handle(commands.UpsertIdTag("TAG-K", "Accepted", max_active_transactions=99))
    central.close()
    process = ServerProcess(database_url)
    yield process
    process.stop()


async def test_acknowledged_messages_survive_kill_9(
    server: ServerProcess, database_url: str
) -> None:
    await server.start()
    # The station starts ten transactions, and each is answered.
    answers = [await server.start_transaction("CP-K", "TAG-K", i, 1 + i % 2) for i in range(10)]
    # The process is killed without any chance to flush anything.
    server.kill_9()
    # Every acknowledged transaction is in the store after the crash…
    central = CentralSystem(eventsourcing_env(database_url))
    for number in answers:
        assert central.repository.get(TransactionNumber.create_id(number)).number == number
    central.close()
    # …and a restarted server answers a resent start with the same id.
    await server.start()
    assert await server.start_transaction("CP-K", "TAG-K", 9, 2) == answers[9]
