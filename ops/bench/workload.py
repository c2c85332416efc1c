"""What a simulated charger says: the session mix, and its answers to CSMS CALLs."""

from __future__ import annotations

import time
from typing import Any, Protocol

Payload = dict[str, Any]
Call = tuple[str, Payload]

# One charging session plus a heartbeat; `max` and `steady` cycle through it.
CYCLE = (
    "Heartbeat",
    "Authorize",
    "StartTransaction",
    "MeterValues",
    "MeterValues",
    "MeterValues",
    "StopTransaction",
)

_stamp: tuple[int, str] = (0, "")


def now_iso() -> str:
    """UTC time in OCPP's ISO 8601 form, formatted once per second (cheap at 10k/s)."""
    global _stamp
    second = int(time.time())
    if _stamp[0] != second:
        _stamp = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _stamp[1]


class Session(Protocol):
    step: int
    tx_id: int | None
    meter_wh: int
    connector: int
    connectors: int

    @property
    def id_tag(self) -> str: ...


def boot_payload(station_id: str) -> Payload:
    return {
        "chargePointVendor": "ChargeLedger",
        "chargePointModel": "BenchSim",
        "chargePointSerialNumber": station_id[-25:],
        "firmwareVersion": "1.0.0",
    }


def status_payload(connector: int) -> Payload:
    return {"connectorId": connector, "errorCode": "NoError", "status": "Available"}


def meter_payload(connector: int, tx_id: int | None, meter_wh: int) -> Payload:
    # OCPP 1.6 §4.7: four sampled values per MeterValues, values are strings.
    sampled = [
        {
            "value": str(meter_wh),
            "measurand": "Energy.Active.Import.Register",
            "unit": "Wh",
            "context": "Sample.Periodic",
        },
        {"value": "11040", "measurand": "Power.Active.Import", "unit": "W"},
        {"value": "16.0", "measurand": "Current.Import", "unit": "A", "phase": "L1"},
        {"value": "230.0", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
    ]
    payload: Payload = {
        "connectorId": connector,
        "meterValue": [{"timestamp": now_iso(), "sampledValue": sampled}],
    }
    if tx_id is not None:
        payload["transactionId"] = tx_id
    return payload


def next_call(s: Session) -> Call:
    """The next CALL of the session mix for this station."""
    action = CYCLE[s.step]
    if action == "Heartbeat":
        return action, {}
    if action == "Authorize":
        return action, {"idTag": s.id_tag}
    if action == "StartTransaction":
        return action, {
            "connectorId": s.connector,
            "idTag": s.id_tag,
            "meterStart": s.meter_wh,
            "timestamp": now_iso(),
        }
    if action == "MeterValues":
        s.meter_wh += 250
        return action, meter_payload(s.connector, s.tx_id, s.meter_wh)
    return action, {
        "transactionId": s.tx_id,
        "idTag": s.id_tag,
        "meterStop": s.meter_wh,
        "timestamp": now_iso(),
        "reason": "Local",
    }


def advance(s: Session, action: str, answer: Payload | None) -> str | None:
    """Move to the next step; return an unexpected-status error kind, if any."""
    info = answer.get("idTagInfo") if answer is not None else None
    status = info.get("status") if isinstance(info, dict) else None
    if action == "StartTransaction" and answer is not None:
        s.tx_id = answer.get("transactionId")
    refused = action == "Authorize" and (answer is None or status != "Accepted")
    no_tx = action == "StartTransaction" and s.tx_id is None
    if refused or no_tx or action == "StopTransaction":
        # Session over, or it never began (a real charger needs an accepted tag
        # and a transactionId): the next one runs on the next connector.
        s.step, s.tx_id = 0, None
        s.connector = s.connector % s.connectors + 1
    else:
        s.step += 1
    if status not in (None, "Accepted"):
        return f"status:{action}={status}"
    return None
