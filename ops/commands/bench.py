"""`chargeledger bench storm|steady|max|hold|compare`: load generator and A/B runs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from ops.bench.compare import ServerStartError, compare, render_compare
from ops.bench.config import BenchConfig, NotLoopbackError, Scenario
from ops.bench.report import render_table
from ops.bench.runner import BenchError, run

_SCENARIOS = {
    Scenario.STORM: "N stations connect at once (or over --ramp), boot and report "
    "connectors 0..C; time until all are up, connect failures, retries, lost stations",
    Scenario.STEADY: "an offered --rate (msgs/s) over N stations with the session mix; "
    "latency percentiles per action at that rate",
    Scenario.MAX: "every station sends its next CALL as soon as the answer arrives: "
    "capacity in msgs/s",
    Scenario.HOLD: "N idle connections sending heartbeats; server RSS per connection",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = subparsers.add_parser(
        "bench",
        help="load generator: simulated charge points against a CSMS on 127.0.0.1",
        description="Simulate OCPP 1.6J charge points over real WebSockets against a "
        "running Central System (loopback only) and report msgs/s, latency, errors "
        "and CPU/RSS.",
    )
    scenarios = bench.add_subparsers(dest="scenario", required=True, metavar="SCENARIO")
    common = _common_options()
    for scenario, text in _SCENARIOS.items():
        parser = scenarios.add_parser(
            str(scenario), parents=[common], help=text, description=text
        )
        parser.add_argument(
            "--url",
            default="ws://127.0.0.1:8180/ocpp",
            help="CSMS base URL; stations add /{id} (default %(default)s)",
        )
        parser.add_argument(
            "--server-pid",
            type=int,
            help="server process id: report its CPU %% and RSS (psutil)",
        )
        parser.set_defaults(func=_run_scenario, scenario_name=scenario)
    _add_compare(scenarios, common)


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    add = common.add_argument
    add(
        "--stations",
        type=int,
        default=100,
        help="simulated stations (default %(default)s)",
    )
    add(
        "--duration",
        type=float,
        default=10.0,
        help="measured seconds; storm: the bound for all to be up (default 10)",
    )
    add(
        "--rate",
        type=float,
        default=1000.0,
        help="steady: offered msgs/s over the whole fleet (default %(default)s)",
    )
    add(
        "--ramp",
        type=float,
        default=0.0,
        help="spread connection starts over this many seconds (default 0: at once)",
    )
    add(
        "--connectors",
        type=int,
        default=2,
        help="connectors per station (default %(default)s)",
    )
    add("--prefix", default="BENCH-", help="station id prefix (default %(default)s)")
    add(
        "--id-tag",
        action="append",
        dest="id_tags",
        metavar="TAG",
        help="idTag for Authorize/Start; repeat to rotate over stations, '{id}' = "
        "the station id (default BENCH-TAG)",
    )
    add("--auth-key", help="HTTP Basic password, user = station id; '{id}' is replaced")
    add(
        "--heartbeat",
        type=float,
        default=30.0,
        help="hold: seconds between heartbeats per station (default %(default)s)",
    )
    add(
        "--call-timeout",
        type=float,
        default=30.0,
        help="seconds before an unanswered CALL is a timeout (default %(default)s)",
    )
    add(
        "--connect-timeout",
        type=float,
        default=60.0,
        help="budget to connect and boot before the window (default %(default)s)",
    )
    add(
        "--processes",
        type=int,
        default=1,
        help="generator processes sharing the stations (default %(default)s)",
    )
    add(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="generator event loop; auto = uvloop when installed (default auto)",
    )
    add("--json", action="store_true", help="print the report as JSON")
    return common


def _add_compare(
    scenarios: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    text = (
        "run one workload against two servers started by shell commands, "
        "interleaved A, B, A, B, and print the ratio B/A of msgs/s"
    )
    parser = scenarios.add_parser(
        "compare", parents=[common], help=text, description=text
    )
    add = parser.add_argument
    add(
        "--a",
        required=True,
        metavar="CMD",
        help="shell command starting server A; '{port}' is replaced by --port",
    )
    add("--b", required=True, metavar="CMD", help="shell command starting server B")
    add(
        "--scenario",
        dest="workload",
        choices=[str(s) for s in Scenario],
        default="max",
        help="workload to run on each side (default %(default)s)",
    )
    add("--rounds", type=int, default=2, help="runs per side (default %(default)s)")
    add(
        "--port",
        type=int,
        default=8180,
        help="port both servers listen on (default %(default)s)",
    )
    add("--path", default="/ocpp", help="OCPP path on the server (default %(default)s)")
    add(
        "--start-timeout",
        type=float,
        default=30.0,
        help="seconds a server may take to listen (default %(default)s)",
    )
    parser.set_defaults(func=_run_compare)


def _config(args: argparse.Namespace, scenario: Scenario, url: str) -> BenchConfig:
    return BenchConfig(
        scenario=scenario,
        url=url,
        stations=args.stations,
        duration=args.duration,
        rate=args.rate,
        ramp=args.ramp,
        connectors=args.connectors,
        prefix=args.prefix,
        id_tags=tuple(args.id_tags or ("BENCH-TAG",)),
        auth_key=args.auth_key,
        heartbeat=args.heartbeat,
        call_timeout=args.call_timeout,
        connect_timeout=args.connect_timeout,
        processes=args.processes,
        loop=args.loop,
        server_pid=getattr(args, "server_pid", None),
    )


def _run_scenario(args: argparse.Namespace) -> int:
    try:
        cfg = _config(args, args.scenario_name, args.url)
        report = run(cfg)
    except (NotLoopbackError, ValueError, BenchError) as error:
        return _fail(error)
    _print(args, report, render_table)
    return 0 if report["stations_booted"] else 1  # nothing came up: nothing measured


def _run_compare(args: argparse.Namespace) -> int:
    url = f"ws://127.0.0.1:{args.port}{args.path}"
    try:
        cfg = _config(args, Scenario(args.workload), url)
        result = compare(
            cfg, (args.a, args.b), args.rounds, args.port, run, args.start_timeout
        )
    except (ValueError, ServerStartError, BenchError) as error:
        return _fail(error)
    _print(args, result, render_compare)
    return 0


def _print(args: argparse.Namespace, result: dict[str, Any], render: Any) -> None:
    if args.json:
        sys.stdout.write(
            orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() + "\n"
        )
    else:
        print(render(result))


def _fail(error: Exception) -> int:
    # Printed here rather than raised as ops.cli.CliError: under `python -m ops.cli`
    # that module is __main__, and its CliError is a different class from ours.
    print(f"chargeledger bench: {error}", file=sys.stderr)
    return 2
