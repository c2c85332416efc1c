"""All configuration in one frozen object, from CLI flags over CHARGELEDGER_* variables.

This module is the only reader of os.environ (ARCHITECTURE.md §14).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from domain.policy import Policy

DEFAULT_DATABASE = "./chargeledger.sqlite3"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8180
    database: str = DEFAULT_DATABASE
    unknown_stations: str = "reject"  # reject | pending | accept
    heartbeat_interval: int = 300
    boot_retry_interval: int = 60
    certification: bool = False  # OCTT conveniences: no ConcurrentTx refusal (T6)
    api_token: str | None = None
    call_timeout: float = 30.0
    call_queue: int = 16
    store: str = "events"  # events | none (bench baseline: answers, stores nothing)
    writer: str = "process"  # process | thread: where the writer and projections run
    max_message_size: int = 8 * 1024 * 1024  # rules §13.7: generous, StopTransaction
    node_id: str = f"{socket.gethostname()}-{os.getpid()}"
    log_level: str = "INFO"

    @property
    def is_postgres(self) -> bool:
        return self.database.startswith(("postgresql://", "postgres://"))

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def policy(self) -> Policy:
        return Policy(
            unknown_stations=self.unknown_stations,
            heartbeat_interval=self.heartbeat_interval,
            boot_retry_interval=self.boot_retry_interval,
            refuse_concurrent_tx=not self.certification,
        )


_ENV_PREFIX = "CHARGELEDGER_"
_ENV_ALIASES = {"DATABASE_URL": "database"}


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    for key, raw in environ.items():
        if not key.startswith(_ENV_PREFIX):
            continue
        name = key.removeprefix(_ENV_PREFIX)
        name = _ENV_ALIASES.get(name, name.lower())
        if name in types:
            values[name] = _convert(types[name], raw)
    return Settings(**values)


def _convert(kind: object, raw: str) -> Any:
    kind = str(kind)
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="SQLite file path (or sqlite:///path) or postgresql://user@host/db "
        f"(env CHARGELEDGER_DATABASE_URL; default {DEFAULT_DATABASE})",
    )


def from_arguments(args: argparse.Namespace) -> Settings:
    """Flags that were given win over the environment, which wins over defaults."""
    settings = from_environment()
    given = {
        f.name: getattr(args, f.name)
        for f in fields(Settings)
        if getattr(args, f.name, None) is not None
    }
    return replace(settings, **given)
