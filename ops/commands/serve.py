"""`chargeledger serve`: run the CSMS (OCPP WebSocket, GraphQL, health) in one process."""

from __future__ import annotations

import argparse
import logging
import resource
import socket

from aiohttp import web

from ops.bootstrap import build_web_app
from ops.cli import CliError
from ops.interpreter import tune_interpreter
from ops.settings import Settings, add_database_argument, from_arguments


BACKLOG = 65535  # connections queued while the loop is busy (the kernel caps it)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the Central System",
        description="Run the Central System: OCPP 1.6J at ws://HOST:PORT/ocpp/{id}, "
        "GraphQL at http://HOST:PORT/graphql, /healthz. On an empty SQLite file or "
        "PostgreSQL database it creates every table it needs.",
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to bind (default 8180)")
    add_database_argument(parser)
    parser.add_argument(
        "--unknown-stations", dest="unknown_stations",
        choices=("reject", "pending", "accept"),
        help="answer to a BootNotification from an unregistered station "
        "(default reject; every attempt is recorded either way)",
    )  # fmt: skip
    parser.add_argument("--heartbeat-interval", dest="heartbeat_interval", type=int,
                        help="seconds, sent to Accepted stations (default 300)")  # fmt: skip
    parser.add_argument(
        "--certification", action="store_const", const=True,
        help="OCTT conveniences: never answer ConcurrentTx (off by default)",
    )  # fmt: skip
    parser.add_argument("--call-timeout", dest="call_timeout", type=float,
                        help="seconds to wait for a station's answer (default 30)")  # fmt: skip
    parser.add_argument(
        "--store", choices=("events", "none"),
        help="'none' answers without storing anything: the benchmark baseline",
    )  # fmt: skip
    parser.add_argument(
        "--writer", choices=("process", "thread"),
        help="where the group-commit writer and the projections run: their own "
        "process (default; a second core) or threads of this one",
    )  # fmt: skip
    parser.add_argument("--max-message-size", dest="max_message_size", type=int,
                        help="bytes; larger frames get a CALLERROR (default 8 MiB)")  # fmt: skip
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    settings = from_arguments(args)
    check(settings)
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")  # fmt: skip
    raise_open_file_limit()
    sock = listening_socket(settings)
    # Connections queue in the backlog from here on: tools may start connecting.
    logging.getLogger("chargeledger").info(
        "listening on %s:%s", settings.host, sock.getsockname()[1]
    )
    app = build_web_app(settings)
    tune_interpreter()
    # The loop listens on the socket again: with the same backlog, not aiohttp's 128.
    web.run_app(app, sock=sock, print=None, handle_signals=True, access_log=None,
                backlog=BACKLOG)  # fmt: skip
    return 0


def check(settings: Settings) -> None:
    if not settings.is_loopback and not settings.api_token:
        raise CliError(
            f"refusing to bind {settings.host} without CHARGELEDGER_API_TOKEN: "
            "the GraphQL API is open only on a loopback address"
        )


def raise_open_file_limit() -> None:
    """Every station holds a socket: take the hard limit of open files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def listening_socket(settings: Settings) -> socket.socket:
    # A reconnect storm overflows the default backlog of 128, and refused clients back
    # off for seconds: queue them instead (the kernel caps it at somaxconn).
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(BACKLOG)
    sock.setblocking(False)
    return sock


__all__ = ["Settings", "register"]
