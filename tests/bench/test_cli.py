"""`chargeledger bench` from the command line, against a reference server process."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import orjson
import pytest

from ops.bench.compare import compare, render_compare
from ops.bench.config import BenchConfig, NotLoopbackError, Scenario
from ops.bench.runner import run
from ops.cli import main
from tests.bench.conftest import free_port


@pytest.mark.parametrize(
    "url",
    [
        "ws://10.0.0.1:8180/ocpp",
        "ws://192.0.2.7/ocpp",
        "ws://example.com:8180/ocpp",
        "ws://0.0.0.0:8180/ocpp",
        "ws://[2001:db8::1]:8180/ocpp",
        "http://127.0.0.1:8180/ocpp",
    ],
)
def test_a_target_off_loopback_is_refused(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NotLoopbackError):
        BenchConfig(Scenario.MAX, url=url)
    assert main(["bench", "max", "--url", url, "--stations", "1"]) == 2
    assert "loopback" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:1/ocpp",
        "ws://127.8.9.10/ocpp",
        "ws://localhost/ocpp",
        "ws://[::1]:8180/ocpp",
    ],
)
def test_loopback_targets_are_accepted(url: str) -> None:
    assert BenchConfig(Scenario.MAX, url=url).url == url


def test_cli_max_over_two_processes_prints_json(
    reference_process: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    url, pid = reference_process
    argv = [
        "bench",
        "max",
        "--url",
        url,
        "--stations",
        "6",
        "--duration",
        "0.5",
        "--processes",
        "2",
        "--server-pid",
        str(pid),
        "--json",
    ]
    assert main(argv) == 0

    report = orjson.loads(capsys.readouterr().out)
    assert report["processes"] == 2
    assert report["stations_booted"] == 6 and report["stations_lost"] == 0
    assert report["errors"] == {}
    assert report["msgs"] == sum(row["count"] for row in report["actions"].values())
    assert report["server"]["pid"] == pid
    assert report["server"]["rss_mib"] > 0
    assert (
        report["generator"]["cpu_percent"]
        >= report["generator"]["cpu_percent_max_process"]
    )


def test_cli_table_names_every_action(
    reference_process: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = reference_process
    argv = ["bench", "storm", "--url", url, "--stations", "4", "--duration", "5"]
    assert main(argv) == 0

    table = capsys.readouterr().out
    assert "BootNotification" in table and "StatusNotification" in table
    assert "4 booted, 0 lost" in table


def test_compare_runs_each_side_and_prints_the_ratio() -> None:
    port = free_port()
    root = shlex.quote(str(Path(__file__).resolve().parents[2]))
    server = f"cd {root} && exec {shlex.quote(sys.executable)} -m "
    server += "ops.bench.reference_server --port {port}"
    cfg = BenchConfig(
        Scenario.MAX, url=f"ws://127.0.0.1:{port}/ocpp", stations=3, duration=0.5
    )

    result = compare(cfg, (server, server), rounds=1, port=port, run=run)

    assert set(result["sides"]) == {"A", "B"}
    for side in result["sides"].values():
        assert len(side["msgs_per_s"]) == 1 and side["errors"] == 0
        assert side["server"]["pid"] > 0
    assert result["ratio_b_over_a"] > 0
    assert "ratio B/A" in render_compare(result)
