"""Prometheus metrics for one node: what an operator watches and what we profile with."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from domain.writer import BatchStats

# 0.025, 0.2 and 0.25 s are the latency and projection-lag targets of docs/performance.md.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2.5, 5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connections = Gauge("chargeledger_connections", "Open station WebSockets",
                                 registry=r)  # fmt: skip
        self.messages = Counter("chargeledger_messages", "Station CALLs answered",
                                ["action", "outcome"], registry=r)  # fmt: skip
        self.latency = Histogram("chargeledger_answer_seconds",
                                 "Time from receiving a CALL to sending its answer",
                                 ["action"], buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.batch_size = Histogram("chargeledger_commit_batch_commands",
                                    "Commands per group commit", buckets=BATCH_BUCKETS,
                                    registry=r)  # fmt: skip
        self.commit_seconds = Histogram("chargeledger_commit_seconds",
                                        "Time to decide and commit one batch",
                                        buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.projection_lag = Gauge("chargeledger_projection_lag_events",
                                    "Events committed but not yet in a read model",
                                    ["projection"], registry=r)  # fmt: skip
        self.projection_delay = Histogram(
            "chargeledger_projection_delay_seconds",
            "Time from an event's commit until the read models show it",
            buckets=LATENCY_BUCKETS, registry=r)  # fmt: skip
        self.outbound = Counter("chargeledger_outbound_calls",
                                "CSMS-initiated calls by outcome", ["action", "outcome"],
                                registry=r)  # fmt: skip

    def observe_message(self, action: str, outcome: str, seconds: float) -> None:
        self.messages.labels(action, outcome).inc()
        self.latency.labels(action).observe(seconds)

    def observe_commit(self, stats: BatchStats) -> None:
        if stats.commands:
            self.batch_size.observe(stats.commands)
        self.commit_seconds.observe(stats.seconds)

    def observe_outbound(self, action: str, outcome: str) -> None:
        self.outbound.labels(action, outcome).inc()

    def handler(
        self, refresh: Callable[[], None]
    ) -> Callable[[web.Request], web.Response]:
        async def metrics(request: web.Request) -> web.Response:
            refresh()
            body = generate_latest(self.registry)
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        return metrics  # type: ignore[return-value]
