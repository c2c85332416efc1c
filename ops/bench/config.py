"""What a benchmark run is asked to do: one frozen value shared by every worker."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import quote, urlsplit


class Scenario(StrEnum):
    STORM = "storm"
    STEADY = "steady"
    MAX = "max"
    HOLD = "hold"


class NotLoopbackError(ValueError):
    """The benchmark only ever sends traffic to this machine's loopback interface."""


@dataclass(frozen=True)
class BenchConfig:
    """One benchmark run: target, fleet, workload and bounds."""

    scenario: Scenario
    url: str = "ws://127.0.0.1:8180/ocpp"
    stations: int = 100
    duration: float = 10.0
    rate: float = 1000.0  # steady: offered msgs/s over the whole fleet
    ramp: float = 0.0  # storm: spread connection starts over this many seconds
    connectors: int = 2
    prefix: str = "BENCH-"
    id_tags: tuple[str, ...] = ("BENCH-TAG",)
    auth_key: str | None = None  # Basic auth password; "{id}" becomes the station id
    heartbeat: float = 30.0  # hold: seconds between heartbeats per station
    call_timeout: float = 30.0  # a CALL without an answer after this is a timeout
    connect_timeout: float = 60.0  # budget for connect+boot before the measured window
    backoff_cap: float = 30.0  # reconnect back-off 1, 2, 4 … s, capped here
    processes: int = 1
    loop: str = "auto"  # event loop of the generator: auto (uvloop if installed)
    server_pid: int | None = None

    def __post_init__(self) -> None:
        check_loopback(self.url)
        if self.stations < 1 or self.processes < 1 or self.duration <= 0:
            raise ValueError("stations, processes and duration must be positive")
        if self.auth_key is not None and ":" in self.prefix:
            raise ValueError("a Basic auth user (the station id) cannot contain ':'")
        if self.loop not in ("auto", "asyncio", "uvloop"):
            raise ValueError(f"unknown event loop {self.loop!r}")
        if self.scenario is Scenario.STEADY and self.rate <= 0:
            raise ValueError("steady needs a positive --rate")

    @property
    def hard_timeout(self) -> float:
        """No run outlives this, whatever the server does."""
        setup = 0.0 if self.scenario is Scenario.STORM else self.connect_timeout
        return setup + self.duration + self.call_timeout + 30.0

    def station_id(self, index: int) -> str:
        return f"{self.prefix}{index:05d}"

    def station_url(self, station_id: str) -> str:
        # OCPP-J §3.1.1: the identity is the last path segment, percent-encoded.
        return f"{self.url.rstrip('/')}/{quote(station_id, safe='')}"

    def password(self, station_id: str) -> str | None:
        if self.auth_key is None:
            return None
        return self.auth_key.replace("{id}", station_id)

    def id_tag(self, index: int) -> str:
        """Tags rotate over the stations; "{id}" gives each station its own tag."""
        tag = self.id_tags[index % len(self.id_tags)]
        return tag.replace("{id}", self.station_id(index)) if "{" in tag else tag

    def with_server(self, url: str, server_pid: int | None) -> BenchConfig:
        return replace(self, url=url, server_pid=server_pid)


def check_loopback(url: str) -> None:
    """Refuse any target that is not 127.0.0.0/8, ::1 or localhost."""
    parts = urlsplit(url)
    if parts.scheme != "ws":
        raise NotLoopbackError(f"{url!r}: only ws:// URLs on loopback are allowed")
    host = parts.hostname or ""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise NotLoopbackError(f"{host!r} is not a loopback address; refusing to send")
