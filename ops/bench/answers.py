"""How a simulated charger answers CSMS-initiated CALLs (OCPP 1.6 section 5)."""

from __future__ import annotations

from typing import Any

from ops.bench.workload import (
    Call,
    Payload,
    boot_payload,
    meter_payload,
    status_payload,
)

_ACCEPTED: Payload = {"status": "Accepted"}

# Schema-valid answers (checked against the ocpp package's 1.6 schemas in the tests).
ANSWERS: dict[str, Payload] = {
    "CancelReservation": _ACCEPTED,
    "ChangeAvailability": _ACCEPTED,
    "ChangeConfiguration": _ACCEPTED,
    "ClearCache": _ACCEPTED,
    "ClearChargingProfile": _ACCEPTED,
    "DataTransfer": _ACCEPTED,
    "GetCompositeSchedule": _ACCEPTED,
    "GetDiagnostics": {},
    "GetLocalListVersion": {"listVersion": 0},  # §5.10: 0 = empty list
    "RemoteStartTransaction": _ACCEPTED,
    "RemoteStopTransaction": _ACCEPTED,
    "ReserveNow": _ACCEPTED,
    "Reset": _ACCEPTED,
    "SendLocalList": _ACCEPTED,
    "SetChargingProfile": _ACCEPTED,
    "UnlockConnector": {"status": "Unlocked"},
    "UpdateFirmware": {},
}

# Spec §14 of our notes: configuration values are strings on the wire.
CONFIGURATION: dict[str, tuple[str, bool]] = {
    "HeartbeatInterval": ("300", False),
    "MeterValueSampleInterval": ("60", False),
    "AuthorizeRemoteTxRequests": ("false", False),
    "ConnectionTimeOut": ("60", False),
    "GetConfigurationMaxKeys": ("20", True),
}


def answer_csms_call(
    action: str, payload: Payload, station_id: str, connectors: int
) -> tuple[Payload | None, list[Call]]:
    """The CALLRESULT payload (None = NotImplemented) and CALLs to send afterwards."""
    if action == "GetConfiguration":
        return _configuration(payload.get("key"), connectors), []
    if action == "TriggerMessage":
        # §5.17: answer first, then send the requested message as our own CALL.
        triggered = _triggered(payload, station_id, connectors)
        status = "Accepted" if triggered else "NotImplemented"
        return {"status": status}, triggered
    return ANSWERS.get(action), []


def _configuration(keys: Any, connectors: int) -> Payload:
    known = dict(CONFIGURATION, NumberOfConnectors=(str(connectors), True))
    wanted = keys if isinstance(keys, list) and keys else list(known)
    found = [
        {"key": key, "readonly": known[key][1], "value": known[key][0]}
        for key in wanted
        if key in known
    ]
    unknown = [key for key in wanted if key not in known]
    # The `ocpp` package's remove_nones lesson: leave empty lists out.
    answer: Payload = {"configurationKey": found} if found else {}
    if unknown:
        answer["unknownKey"] = unknown
    return answer


def _triggered(payload: Payload, station_id: str, connectors: int) -> list[Call]:
    requested = payload.get("requestedMessage")
    connector = payload.get("connectorId")
    if requested == "BootNotification":
        return [("BootNotification", boot_payload(station_id))]
    if requested == "Heartbeat":
        return [("Heartbeat", {})]
    if requested in ("DiagnosticsStatusNotification", "FirmwareStatusNotification"):
        return [(requested, {"status": "Idle"})]  # §4.4/4.5: Idle only when triggered
    if requested == "MeterValues":
        return [("MeterValues", meter_payload(connector or 1, None, 0))]
    if requested == "StatusNotification":
        # §5.17: without connectorId, connector 0 and every connector.
        ids = [connector] if connector is not None else range(connectors + 1)
        return [("StatusNotification", status_payload(c)) for c in ids]
    return []
