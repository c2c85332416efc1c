"""Access reads in a connection storm: batched per thread hop, never answered stale."""

from __future__ import annotations

import asyncio
import threading

import pytest

from adapters.ocpp.backend import BatchedReads


class Store:
    """A read that can be held open, counting what it was asked for."""

    def __init__(self) -> None:
        self.values = {"CP-1": "registered", "CP-2": "registered"}
        self.asked: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def read(self, key: str) -> str:
        self.started.set()
        self.release.wait(timeout=10)
        self.asked.append(key)
        if key == "BROKEN":
            raise LookupError(key)
        return self.values.get(key, "unknown")


async def test_keys_asked_together_are_read_once_each_in_one_hop() -> None:
    store = Store()
    reads = BatchedReads(store.read, hops=1)
    answers = await asyncio.gather(
        reads.get("CP-1"), reads.get("CP-2"), reads.get("CP-1"), reads.get("CP-9")
    )
    assert answers == ["registered", "registered", "registered", "unknown"]
    assert store.asked == ["CP-1", "CP-2", "CP-9"]


async def test_a_key_asked_during_a_read_is_read_again_and_sees_later_changes() -> None:
    store = Store()
    store.release.clear()
    reads = BatchedReads(store.read, hops=1)
    first = asyncio.ensure_future(reads.get("CP-3"))
    await asyncio.to_thread(store.started.wait, 10)
    second = asyncio.ensure_future(reads.get("CP-3"))
    store.values["CP-3"] = "registered"  # committed after the first read began
    store.release.set()
    assert await second == "registered"
    await first
    assert store.asked == ["CP-3", "CP-3"]


async def test_a_failing_read_fails_only_its_own_callers() -> None:
    store = Store()
    reads = BatchedReads(store.read, hops=1)
    broken, fine = await asyncio.gather(
        reads.get("BROKEN"), reads.get("CP-1"), return_exceptions=True
    )
    assert isinstance(broken, LookupError) and fine == "registered"


async def test_more_keys_than_one_hop_takes_are_all_answered() -> None:
    store = Store()
    reads = BatchedReads(store.read, max_batch=2, hops=2)
    keys = [f"CP-{i}" for i in range(7)]
    answers = await asyncio.gather(*(reads.get(k) for k in keys))
    assert answers == ["unknown", "registered", "registered"] + ["unknown"] * 4
    assert sorted(store.asked) == sorted(keys)


@pytest.mark.parametrize("hops", [1, 3])
async def test_a_caller_that_gives_up_leaves_the_others_their_answer(hops: int) -> None:
    store = Store()
    store.release.clear()
    reads = BatchedReads(store.read, hops=hops)
    impatient = asyncio.ensure_future(reads.get("CP-1"))
    patient = asyncio.ensure_future(reads.get("CP-1"))
    await asyncio.to_thread(store.started.wait, 10)
    impatient.cancel()
    store.release.set()
    assert await patient == "registered"
