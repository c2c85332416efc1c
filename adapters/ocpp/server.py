"""The aiohttp route /ocpp/{chargePointId}: handshake checks, Basic auth, sessions."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSCloseCode, web

from adapters.ocpp.backend import Backend, StationAccess
from adapters.ocpp.data_transfer import DataTransferRegistry, default_registry
from adapters.ocpp.session import Observer, StationSession
from domain import commands
from domain.credentials import verify_password

log = logging.getLogger(__name__)
SUBPROTOCOL = "ocpp1.6"


@dataclass
class OcppServer:
    """Everything the route needs; one per node, stored under `ocpp_server_key`."""

    backend: Backend
    node_id: str
    max_message_size: int = 8 * 1024 * 1024
    call_queue: int = 16
    data_transfer: DataTransferRegistry = field(default_factory=default_registry)
    observe: Observer | None = None
    sessions: dict[str, StationSession] = field(default_factory=dict)
    # Verified (station, password) → the hash it matched: a reconnect storm must not
    # pay a slow scrypt per station; a re-registration changes the hash and re-checks.
    _verified: dict[tuple[str, str], str] = field(default_factory=dict)

    async def authenticate(self, station: str, request: web.Request) -> StationAccess:
        access = await self.backend.access(station)
        if access.password_hash is None:
            return access  # security profile 0: no credential registered
        password = _basic_password(request, station)
        if password is None:
            await self._refuse(station, "missing or malformed Basic credentials")
        elif self._verified.get((station, password)) == access.password_hash:
            return access
        elif await asyncio.to_thread(verify_password, password, access.password_hash):
            self._verified[(station, password)] = access.password_hash
            return access
        else:
            await self._refuse(station, "wrong password")
        raise AssertionError("unreachable")

    async def _refuse(self, station: str, reason: str) -> None:
        await self.backend.execute(commands.RecordAuthenticationFailure(station, reason), [])
        raise web.HTTPUnauthorized(
            reason="Unauthorized", headers={"WWW-Authenticate": 'Basic realm="ocpp"'}
        )

    def presence(self, station: str, online: int) -> None:
        self.backend.record([], [self._presence(station, online)])

    def take_ownership(self, station: str) -> Awaitable[Any]:
        """Queued ahead of the session's first command, so it is committed with or
        before it; the session answers nothing until it is (other nodes route calls
        by it). Not waiting before serving saves each station a commit round trip."""
        return self.backend.record_committed([self._presence(station, 1)])

    def _presence(self, station: str, online: int) -> tuple[Any, ...]:
        return (station, online, datetime.now(UTC).isoformat(), self.node_id)


ocpp_server_key = web.AppKey("ocpp_server", OcppServer)


def _basic_password(request: web.Request, station: str) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if sep and user == station else None  # J §6.2.2: user = identity


def _offers_ocpp16(request: web.Request) -> bool:
    offered = request.headers.get("Sec-WebSocket-Protocol", "")
    return SUBPROTOCOL in (p.strip() for p in offered.split(","))


def _gone(request: web.Request) -> bool:
    return request.transport is None or request.transport.is_closing()


async def ocpp_websocket(request: web.Request) -> web.StreamResponse:
    server = request.app[ocpp_server_key]
    station = request.match_info["charge_point_id"]
    if not _offers_ocpp16(request):  # rules §13.2 / TC_088: refuse before upgrading
        raise web.HTTPBadRequest(reason="WebSocket subprotocol ocpp1.6 required")
    access = await server.authenticate(station, request)
    if _gone(request):  # gave up waiting in a storm; it retries: no upgrade, no trace
        raise web.HTTPServiceUnavailable(reason="station left before the upgrade")
    ws = web.WebSocketResponse(
        protocols=(SUBPROTOCOL,),
        max_msg_size=server.max_message_size * 2,  # beyond: close; below: CALLERROR
        heartbeat=None,
    )
    await ws.prepare(request)
    session = StationSession(
        station, ws, server.backend, accepted=access.accepted,
        data_transfer=server.data_transfer, max_message_size=server.max_message_size,
        call_queue=server.call_queue, observe=server.observe,
    )  # fmt: skip
    previous = server.sessions.get(station)
    server.sessions[station] = session
    if previous is not None:  # a reconnect replaces the old socket (rules §13.8)
        await previous.ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"replaced")
    try:
        await session.serve(owned=server.take_ownership(station))
    finally:
        if server.sessions.get(station) is session:
            del server.sessions[station]
            server.presence(station, 0)
    return ws


def add_ocpp_routes(app: web.Application, server: OcppServer) -> None:
    app[ocpp_server_key] = server
    app.router.add_get("/ocpp/{charge_point_id}", ocpp_websocket)
