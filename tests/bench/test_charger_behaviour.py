"""The simulated charger towards a CSMS that calls it: answers, triggers, one CALL."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer
from ocpp.messages import get_validator

from ops.bench.answers import ANSWERS, answer_csms_call
from ops.bench.config import BenchConfig, Scenario
from ops.bench.runner import run_async
from ops.bench.workload import CYCLE, boot_payload, next_call, status_payload

BOOT_ACCEPTED = {
    "currentTime": "2026-11-25T12:00:00Z",
    "interval": 300,
    "status": "Accepted",
}


class CallingCsms:
    """A tiny CSMS: sends one CALL while the station's Boot is still unanswered."""

    def __init__(self, call: list[Any]) -> None:
        self.call = call
        self.answer: asyncio.Future[list[Any]] = asyncio.Future()
        self.station_calls: list[tuple[str, dict[str, Any]]] = []
        self.overlapping = 0  # station CALLs sent while another was unanswered

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("ocpp1.6",))
        await ws.prepare(request)
        held_boot: str | None = None  # the Boot we have not answered yet
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                break
            frame = orjson.loads(message.data)
            if frame[0] == 2:
                self.overlapping += held_boot is not None
                self.station_calls.append((frame[2], frame[3]))
                if frame[2] == "BootNotification" and not self.answer.done():
                    # Hold the Boot answer and call the station meanwhile.
                    held_boot = frame[1]
                    await ws.send_str(orjson.dumps(self.call).decode())
                else:
                    await ws.send_str(orjson.dumps([3, frame[1], {}]).decode())
            elif frame[1] == self.call[1] and not self.answer.done():
                self.answer.set_result(frame)
                reply = [3, held_boot, BOOT_ACCEPTED]
                held_boot = None
                await ws.send_str(orjson.dumps(reply).decode())
        return ws


async def run_against(
    aiohttp_server: Callable[..., Awaitable[TestServer]], csms: CallingCsms
) -> dict[str, Any]:
    app = web.Application()
    app.router.add_get("/ocpp/{id}", csms.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    cfg = BenchConfig(Scenario.STORM, url=url, stations=1, duration=5.0)
    return await run_async(cfg)


async def test_station_answers_a_reset_while_its_boot_is_outstanding(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    csms = CallingCsms([2, "reset-1", "Reset", {"type": "Soft"}])
    report = await run_against(aiohttp_server, csms)

    # The station answered the Reset with the same id and a schema-valid Accepted.
    assert csms.answer.result() == [3, "reset-1", {"status": "Accepted"}]
    get_validator(3, "Reset", "1.6").validate({"status": "Accepted"})
    assert report["csms_calls"] == {"Reset": 1}
    # It sent nothing else while its Boot was unanswered, then finished booting.
    assert csms.overlapping == 0
    assert report["stations_booted"] == 1 and report["stations_lost"] == 0


async def test_triggered_status_notification_follows_the_accepted_answer(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    trigger = {"requestedMessage": "StatusNotification", "connectorId": 1}
    csms = CallingCsms([2, "trigger-1", "TriggerMessage", trigger])
    await run_against(aiohttp_server, csms)

    assert csms.answer.result() == [3, "trigger-1", {"status": "Accepted"}]
    # Boot, then connectors 0..2 after Accepted, then the triggered one (§5.17).
    assert [action for action, _ in csms.station_calls] == [
        "BootNotification",
        *["StatusNotification"] * 4,
    ]
    assert csms.station_calls[-1][1]["connectorId"] == 1
    assert csms.overlapping == 0


async def test_unknown_csms_call_gets_not_implemented(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    csms = CallingCsms([2, "x-1", "MadeUpAction", {}])
    await run_against(aiohttp_server, csms)

    assert csms.answer.result() == [4, "x-1", "NotImplemented", "", {}]


@pytest.mark.parametrize("action", sorted(ANSWERS))
def test_every_canned_answer_is_schema_valid(action: str) -> None:
    get_validator(3, action, "1.6").validate(ANSWERS[action])


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("GetConfiguration", {}),
        ("GetConfiguration", {"key": ["HeartbeatInterval", "NoSuchKey"]}),
        ("TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 2}),
        ("TriggerMessage", {"requestedMessage": "BootNotification"}),
    ],
)
def test_computed_answers_and_triggered_calls_are_schema_valid(
    action: str, payload: dict[str, Any]
) -> None:
    get_validator(2, action, "1.6").validate(payload)
    answer, follow_up = answer_csms_call(action, payload, "CP-1", connectors=2)
    get_validator(3, action, "1.6").validate(answer)
    for triggered, triggered_payload in follow_up:
        get_validator(2, triggered, "1.6").validate(triggered_payload)


class _Session:
    def __init__(self) -> None:
        self.step, self.meter_wh = 0, 1000
        self.tx_id: int | None = 7
        self.connector, self.connectors, self.id_tag = 1, 2, "TAG-1"


def test_every_call_the_station_sends_is_schema_valid() -> None:
    session = _Session()
    get_validator(2, "BootNotification", "1.6").validate(boot_payload("BENCH-00001"))
    get_validator(2, "StatusNotification", "1.6").validate(status_payload(0))
    for expected in CYCLE:
        action, payload = next_call(session)
        assert action == expected
        get_validator(2, action, "1.6").validate(payload)
        session.step += 1


async def test_station_logs_in_with_basic_auth_as_itself(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    logins: list[str] = []

    async def handle(request: web.Request) -> web.WebSocketResponse:
        scheme, credentials = request.headers["Authorization"].split(" ", 1)
        assert scheme == "Basic"
        logins.append(base64.b64decode(credentials).decode())
        ws = web.WebSocketResponse(protocols=("ocpp1.6",))
        await ws.prepare(request)
        async for message in ws:
            uid, action = orjson.loads(message.data)[1:3]
            answer = BOOT_ACCEPTED if action == "BootNotification" else {}
            await ws.send_str(orjson.dumps([3, uid, answer]).decode())
        return ws

    app = web.Application()
    app.router.add_get("/ocpp/{id}", handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    url = f"ws://127.0.0.1:{server.port}/ocpp"
    cfg = BenchConfig(Scenario.STORM, url=url, stations=2, auth_key="key-{id}")

    report = await run_async(cfg)

    assert report["stations_booted"] == 2
    assert sorted(logins) == [
        "BENCH-00000:key-BENCH-00000",
        "BENCH-00001:key-BENCH-00001",
    ]


def test_id_tags_rotate_over_stations_and_can_name_the_station() -> None:
    url = "ws://127.0.0.1:1/ocpp"
    rotating = BenchConfig(Scenario.MAX, url=url, id_tags=("A", "B"))
    assert [rotating.id_tag(i) for i in range(3)] == ["A", "B", "A"]
    own = BenchConfig(Scenario.MAX, url=url, id_tags=("T-{id}",), prefix="CP")
    assert own.id_tag(7) == "T-CP00007"


async def test_rejected_boot_is_an_error_and_the_station_is_lost(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    rejected = dict(BOOT_ACCEPTED, status="Rejected")

    async def handle(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("ocpp1.6",))
        await ws.prepare(request)
        async for message in ws:
            uid = orjson.loads(message.data)[1]
            await ws.send_str(orjson.dumps([3, uid, rejected]).decode())
        return ws

    app = web.Application()
    app.router.add_get("/ocpp/{id}", handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    cfg = BenchConfig(
        Scenario.STORM, url=f"ws://127.0.0.1:{server.port}/ocpp", stations=3
    )

    report = await run_async(cfg)

    assert report["errors"] == {"status:BootNotification=Rejected": 3}
    assert report["stations_booted"] == 0 and report["stations_lost"] == 3
    assert "StatusNotification" not in report["actions"]
