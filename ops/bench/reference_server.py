"""The outside yardstick: a minimal CSMS on the `ocpp` 2.1.0 package, storing nothing.

It routes with the package's own `ChargePoint` (schema validation on, as shipped) and
answers from memory. `python -m ops.bench.reference_server --port 8180`.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from aiohttp import WSMsgType, web
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.datatypes import IdTagInfo
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus

from ops.bench.probe import raise_open_file_limit

_ACCEPTED = IdTagInfo(status=AuthorizationStatus.accepted)
charge_point_class_key = web.AppKey("charge_point_class", type)
_Handler = TypeVar("_Handler", bound=Callable[..., Any])


def _on(action: Action) -> Callable[[_Handler], _Handler]:
    """ocpp's `on`, typed: the package ships no annotations."""
    return cast(Callable[[_Handler], _Handler], on(action))


class ConnectionClosedError(Exception):
    """The station's WebSocket closed; ends the session's receive loop."""


class AiohttpConnection:
    """The recv()/send() pair `ocpp` wants, over an aiohttp WebSocketResponse."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self._ws = ws

    async def recv(self) -> str:
        message = await self._ws.receive()
        if message.type is WSMsgType.TEXT:
            return str(message.data)
        raise ConnectionClosedError(message.type)

    async def send(self, message: str) -> None:
        await self._ws.send_str(message)


class ReferenceChargePoint(ChargePoint):  # type: ignore[misc]
    """One connected station, answered from memory."""

    _transaction_ids = itertools.count(1)  # process-wide, like a real CSMS's sequence

    @_on(Action.boot_notification)
    def on_boot_notification(self, **_: Any) -> call_result.BootNotification:
        return call_result.BootNotification(
            current_time=_now(), interval=300, status=RegistrationStatus.accepted
        )

    @_on(Action.heartbeat)
    def on_heartbeat(self, **_: Any) -> call_result.Heartbeat:
        return call_result.Heartbeat(current_time=_now())

    @_on(Action.status_notification)
    def on_status_notification(self, **_: Any) -> call_result.StatusNotification:
        return call_result.StatusNotification()

    @_on(Action.authorize)
    def on_authorize(self, **_: Any) -> call_result.Authorize:
        return call_result.Authorize(id_tag_info=_ACCEPTED)

    @_on(Action.start_transaction)
    def on_start_transaction(self, **_: Any) -> call_result.StartTransaction:
        return call_result.StartTransaction(
            transaction_id=next(self._transaction_ids), id_tag_info=_ACCEPTED
        )

    @_on(Action.meter_values)
    def on_meter_values(self, **_: Any) -> call_result.MeterValues:
        return call_result.MeterValues()

    @_on(Action.stop_transaction)
    def on_stop_transaction(
        self, id_tag: str | None = None, **_: Any
    ) -> call_result.StopTransaction:
        # OCPP 1.6 §4.10: idTagInfo only when the request carried an idTag.
        return call_result.StopTransaction(id_tag_info=_ACCEPTED if id_tag else None)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def ocpp_websocket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=("ocpp1.6",))
    # OCPP-J §3.2 / OCTT TC_088: without the subprotocol, don't upgrade at all.
    if ws.can_prepare(request).protocol != "ocpp1.6":
        raise web.HTTPBadRequest(text="ocpp1.6 subprotocol required")
    await ws.prepare(request)
    station_class = request.app[charge_point_class_key]
    station = station_class(request.match_info["id"], AiohttpConnection(ws))
    # When the station goes away there is nothing kept and nothing to clean up.
    with contextlib.suppress(ConnectionClosedError, ConnectionResetError):
        await station.start()
    return ws


def build_app(station_class: type = ReferenceChargePoint) -> web.Application:
    """The app; tests pass a ReferenceChargePoint subclass that also counts frames."""
    app = web.Application()
    app[charge_point_class_key] = station_class
    app.router.add_get("/ocpp/{id}", ocpp_websocket)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ops.bench.reference_server",
        description="Minimal OCPP 1.6J CSMS on the ocpp package (benchmark yardstick).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address")
    parser.add_argument("--port", type=int, default=8180, help="listen port")
    parser.add_argument(
        "--backlog",
        type=int,
        default=4096,
        help="listen backlog; a storm overflows 128",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    raise_open_file_limit()
    web.run_app(
        build_app(), host=args.host, port=args.port, backlog=args.backlog, print=None
    )


if __name__ == "__main__":
    main()
