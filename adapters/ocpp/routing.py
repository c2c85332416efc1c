"""Cross-node calls on PostgreSQL: node A asks node B, which holds the station's socket.

The request and the answer travel through `chargeledger_routed_calls` (no NOTIFY
payload limit); NOTIFY on a per-node channel only says "row N is for you".
Ownership is the presence table: the node whose row says the station is online.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import uuid
from typing import Any

import orjson
import psycopg

from adapters.ocpp import errors
from adapters.ocpp.server import OcppServer
from adapters.ocpp.session import CallQueueFull, StationDisconnected, StationOffline

log = logging.getLogger(__name__)

DDL = (
    "CREATE TABLE IF NOT EXISTS chargeledger_routed_calls (id TEXT PRIMARY KEY, "
    "origin TEXT NOT NULL, target TEXT NOT NULL, station TEXT NOT NULL, "
    "action TEXT NOT NULL, payload TEXT NOT NULL, timeout DOUBLE PRECISION NOT NULL, "
    "response TEXT, created TIMESTAMPTZ NOT NULL DEFAULT now())"
)


def channel(node_id: str) -> str:
    return "chargeledger_" + hashlib.sha1(node_id.encode()).hexdigest()[:20]


class PostgresRouter:
    """Routes calls to the node holding the station; serves calls routed to us."""

    def __init__(self, url: str, server: OcppServer) -> None:
        self.url = url
        self.server = server
        self.node_id = server.node_id
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        await self._conn.execute(DDL)
        listen = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        await listen.execute(f"LISTEN {channel(self.node_id)}")
        self._listener = asyncio.create_task(self._listen(listen))

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        for task in list(self._tasks):
            task.cancel()
        if self._conn is not None:
            await self._conn.close()

    async def _execute(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        assert self._conn is not None
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return await cursor.fetchall() if cursor.description else []

    # -- asking another node -------------------------------------------------------

    async def call(
        self, station: str, action: str, payload: dict[str, Any], timeout: float
    ) -> Any:
        rows = await self._execute(
            "SELECT node FROM chargeledger_presence WHERE station = %s AND online = 1",
            (station,),
        )
        if not rows or rows[0][0] in (None, self.node_id):
            raise StationOffline(station)
        call_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        try:
            await self._execute(
                "INSERT INTO chargeledger_routed_calls (id, origin, target, station, "
                "action, payload, timeout) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (call_id, self.node_id, rows[0][0], station, action,
                 orjson.dumps(payload).decode(), timeout),
            )  # fmt: skip
            await self._execute("SELECT pg_notify(%s, %s)", (channel(rows[0][0]), call_id))
            # The remote node applies the timeout; allow for the trip there and back.
            answer = await asyncio.wait_for(future, timeout + 5)
        finally:
            self._waiting.pop(call_id, None)
            await self._execute("DELETE FROM chargeledger_routed_calls WHERE id = %s",
                                (call_id,))  # fmt: skip
        return _unpack(answer)

    # -- serving calls routed to us ------------------------------------------------

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        try:
            async for note in conn.notifies():
                if note.payload in self._waiting:
                    await self._answer_arrived(note.payload)
                else:
                    task = asyncio.create_task(self._serve(note.payload))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        finally:
            await conn.close()

    async def _answer_arrived(self, call_id: str) -> None:
        rows = await self._execute(
            "SELECT response FROM chargeledger_routed_calls WHERE id = %s", (call_id,)
        )
        future = self._waiting.get(call_id)
        if rows and rows[0][0] and future is not None and not future.done():
            future.set_result(orjson.loads(rows[0][0]))

    async def _serve(self, call_id: str) -> None:
        rows = await self._execute(
            "SELECT origin, station, action, payload, timeout FROM "
            "chargeledger_routed_calls WHERE id = %s AND response IS NULL", (call_id,)
        )  # fmt: skip
        if not rows:
            return
        origin, station, action, payload, timeout = rows[0]
        answer = await self._call_local(station, action, orjson.loads(payload), timeout)
        await self._execute(
            "UPDATE chargeledger_routed_calls SET response = %s WHERE id = %s",
            (orjson.dumps(answer).decode(), call_id),
        )
        await self._execute("SELECT pg_notify(%s, %s)", (channel(origin), call_id))

    async def _call_local(
        self, station: str, action: str, payload: dict[str, Any], timeout: float
    ) -> dict[str, Any]:
        session = self.server.sessions.get(station)
        if session is None:
            return {"failure": "Offline"}
        try:
            return {"result": await session.call(action, payload, timeout)}
        except errors.CallError as error:
            return {"error": [error.code, error.description, error.details]}
        except (TimeoutError, asyncio.TimeoutError):
            return {"failure": "Timeout"}
        except StationDisconnected:
            return {"failure": "Disconnected"}
        except CallQueueFull:
            return {"failure": "QueueFull"}


def _unpack(answer: dict[str, Any]) -> Any:
    if "result" in answer:
        return answer["result"]
    if "error" in answer:
        code, description, details = answer["error"]
        raise errors.CallError(code, description, details)
    failure = answer.get("failure")
    if failure == "Timeout":
        raise TimeoutError
    if failure == "Disconnected":
        raise StationDisconnected("")
    if failure == "QueueFull":
        raise CallQueueFull("")
    raise StationOffline("")
