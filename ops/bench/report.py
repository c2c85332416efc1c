"""Merge worker results into one report: a JSON-ready dict and a table for people."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

from ops.bench.config import BenchConfig, Scenario
from ops.bench.probe import Sample, cpu_percent
from ops.bench.stats import Stats
from ops.bench.workload import CYCLE

if TYPE_CHECKING:
    from ops.bench.scenarios import WorkerResult

_MIB = 1024 * 1024


def build_report(cfg: BenchConfig, results: list[WorkerResult]) -> dict[str, Any]:
    stats, setup = Stats(), Stats()
    for result in results:
        stats.merge(result.stats)
        setup.merge(result.setup)
    window = max((r.window_s for r in results), default=0.0)
    msgs = stats.total_answered
    report: dict[str, Any] = {
        "scenario": str(cfg.scenario),
        "url": cfg.url,
        "stations": cfg.stations,
        "processes": cfg.processes,
        "duration_s": cfg.duration,
        "window_s": round(window, 3),
        "msgs": msgs,
        "msgs_per_s": round(msgs / window, 1) if window > 0 else 0.0,
        "actions": _actions(stats),
        "errors": dict(sorted(stats.errors.items())),
        "setup_errors": dict(sorted(setup.errors.items())),
        "stations_booted": sum(r.booted for r in results),
        "stations_lost": sum(r.lost for r in results),
        "connect_failures": _connect_failures(stats) + _connect_failures(setup),
        "connect_retries": stats.events["connect_retries"]
        + setup.events["connect_retries"],
        "reconnects": stats.events["reconnects"] + setup.events["reconnects"],
        "csms_calls": dict(stats.csms_calls + setup.csms_calls),
        "server": _server(cfg, results),
        "generator": _generator(results),
    }
    if cfg.scenario is Scenario.STEADY:
        report["offered_rate"] = cfg.rate
    if cfg.scenario is Scenario.STORM:
        report["storm"] = _storm(results)
    return report


def _actions(stats: Stats) -> dict[str, dict[str, Any]]:
    order = [*dict.fromkeys(CYCLE), *sorted(stats.answered)]
    table: dict[str, dict[str, Any]] = {}
    for action in dict.fromkeys(a for a in order if a in stats.answered):
        histogram = stats.latency[action]
        table[action] = {
            "count": stats.answered[action],
            "errors": stats.action_errors[action],
            "p50_ms": _ms(histogram.percentile(0.50)),
            "p95_ms": _ms(histogram.percentile(0.95)),
            "p99_ms": _ms(histogram.percentile(0.99)),
            "max_ms": _ms(histogram.max),
            "mean_ms": _ms(histogram.total / histogram.count),
        }
    return table


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _connect_failures(stats: Stats) -> int:
    return sum(n for kind, n in stats.errors.items() if kind.startswith("connect:"))


def _storm(results: list[WorkerResult]) -> dict[str, float | None]:
    boots = sorted(t for r in results for t in r.boot_times)
    dones = sorted(t for r in results for t in r.done_times)
    return {
        "all_booted_s": round(boots[-1], 3) if boots else None,
        "all_done_s": round(dones[-1], 3) if dones else None,
        "median_done_s": round(statistics.median(dones), 3) if dones else None,
    }


def _server(cfg: BenchConfig, results: list[WorkerResult]) -> dict[str, Any] | None:
    measured = next((r for r in results if r.server is not None), None)
    if measured is None or measured.server is None:
        return None
    before, after = measured.server
    figures: dict[str, Any] = {
        "pid": cfg.server_pid,
        "cpu_percent": round(cpu_percent(before, after), 1),
        "rss_mib": round(after.rss / _MIB, 1),
    }
    baseline = measured.server_baseline
    held = sum(r.stations - r.lost for r in results)
    if baseline is not None and held > 0:
        figures["rss_baseline_mib"] = round(baseline.rss / _MIB, 1)
        per_connection = (after.rss - baseline.rss) / held / 1024
        figures["rss_per_connection_kib"] = round(per_connection, 1)
    return figures


def _generator(results: list[WorkerResult]) -> dict[str, Any]:
    loop = next((r.loop for r in results), "")
    pairs: list[tuple[Sample, Sample]] = [r.generator for r in results if r.generator]
    shares = [cpu_percent(before, after) for before, after in pairs]
    return {
        "loop": loop,
        "cpu_percent": round(sum(shares), 1),
        "cpu_percent_max_process": round(max(shares, default=0.0), 1),
        "rss_mib": round(sum(after.rss for _, after in pairs) / _MIB, 1),
        "open_file_limit": min((r.open_file_limit for r in results), default=0),
    }


def render_table(report: dict[str, Any]) -> str:
    """The report for people: one headline, one row per action, then the rest."""
    lines = [
        f"{report['scenario']}: {report['stations']} stations, "
        f"{report['processes']} process(es), {report['window_s']:.2f} s measured "
        f"-> {report['msgs_per_s']:,.1f} msgs/s ({report['msgs']:,} answered)"
    ]
    if "offered_rate" in report:
        lines.append(f"offered rate: {report['offered_rate']:,.1f} msgs/s")
    header = ("action", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
    lines.append("{:<30}{:>9}{:>8}{:>9}{:>9}{:>9}{:>9}".format(*header))
    for action, row in report["actions"].items():
        lines.append(
            f"{action:<30}{row['count']:>9}{row['errors']:>8}{row['p50_ms']:>9.2f}"
            f"{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['max_ms']:>9.2f}"
        )
    lines.append("errors: " + _kinds(report["errors"]))
    if report["setup_errors"]:
        lines.append("errors before the window: " + _kinds(report["setup_errors"]))
    lines.append(
        f"stations: {report['stations_booted']} booted, "
        f"{report['stations_lost']} lost, "
        f"{report['connect_failures']} connect failures, "
        f"{report['connect_retries']} retries, {report['reconnects']} reconnects"
    )
    if "storm" in report:
        storm = report["storm"]
        lines.append(
            f"storm: all booted after {storm['all_booted_s']} s, all done after "
            f"{storm['all_done_s']} s (median {storm['median_done_s']} s)"
        )
    if report["csms_calls"]:
        lines.append("CSMS calls answered: " + _kinds(report["csms_calls"]))
    lines.extend(_resources(report))
    return "\n".join(lines)


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "none"


def _resources(report: dict[str, Any]) -> list[str]:
    lines = []
    server = report["server"]
    if server is not None:
        line = f"server pid {server['pid']}: CPU {server['cpu_percent']} %, "
        line += f"RSS {server['rss_mib']} MiB"
        if "rss_per_connection_kib" in server and report["scenario"] == "hold":
            line += f" ({server['rss_per_connection_kib']} KiB per connection)"
        lines.append(line)
    gen = report["generator"]
    lines.append(
        f"generator ({gen['loop']}): CPU {gen['cpu_percent']} % (busiest process "
        f"{gen['cpu_percent_max_process']} %), RSS {gen['rss_mib']} MiB, "
        f"open-file limit {gen['open_file_limit']}"
    )
    return lines
