"""/healthz, /readyz and /metrics tell an operator what the node is doing."""

from __future__ import annotations

from tests.e2e.conftest import Csms


async def test_health_readiness_and_metrics_after_traffic(csms: Csms) -> None:
    station = await csms.connect("CP-1")
    await station.boot()
    await station.start(1, "TAG-1")
    assert (await csms.client.get("/healthz")).status == 200
    ready = await csms.client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["status"] == "ready"
    text = await (await csms.client.get("/metrics")).text()
    assert 'chargeledger_messages_total{action="StartTransaction",outcome="ok"} 1.0' in text
    assert "chargeledger_connections 1.0" in text
    for name in ("chargeledger_answer_seconds_bucket", "chargeledger_commit_seconds_count",
                 "chargeledger_projection_lag_events", "chargeledger_commit_batch_commands"):
        assert name in text, name
