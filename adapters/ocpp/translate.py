"""Pure mapping between OCPP 1.6 payloads (validated dicts) and commands/results."""

from __future__ import annotations

from typing import Any

from domain import commands
from domain.results import BootResult, IdTagInfo, StartResult, StopResult
from domain.timestamps import iso_utc

BOOT_DETAILS = (
    "chargePointSerialNumber", "chargeBoxSerialNumber", "firmwareVersion",
    "iccid", "imsi", "meterType", "meterSerialNumber",
)  # fmt: skip


def register_boot(station: str, p: dict[str, Any]) -> commands.RegisterBoot:
    details = {key: p[key] for key in BOOT_DETAILS if key in p}
    return commands.RegisterBoot(
        station, p["chargePointVendor"], p["chargePointModel"], details
    )


def update_connector_status(
    station: str, p: dict[str, Any]
) -> commands.UpdateConnectorStatus:
    return commands.UpdateConnectorStatus(
        station, p["connectorId"], p["status"], p["errorCode"], p.get("info"),
        p.get("vendorId"), p.get("vendorErrorCode"), p.get("timestamp"),
    )  # fmt: skip


def start_transaction(station: str, p: dict[str, Any]) -> commands.StartTransaction:
    return commands.StartTransaction(
        station, p["connectorId"], p["idTag"], p["meterStart"], p["timestamp"],
        p.get("reservationId"),
    )  # fmt: skip


def stop_transaction(station: str, p: dict[str, Any]) -> commands.StopTransaction:
    return commands.StopTransaction(
        station, p["transactionId"], p["meterStop"], p["timestamp"], p.get("idTag"),
        p.get("reason"), p.get("transactionData", []),
    )  # fmt: skip


def meter_values(station: str, p: dict[str, Any]) -> commands.RecordMeterValues:
    return commands.RecordMeterValues(
        station, p["connectorId"], p["meterValue"], p.get("transactionId")
    )


def boot_result(result: BootResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "currentTime": iso_utc(result.current_time),
        "interval": result.interval,
    }


def id_tag_info(info: IdTagInfo) -> dict[str, Any]:
    """Rules §3.2: always include parentIdTag and expiryDate when the tag has them."""
    out: dict[str, Any] = {"status": info.status}
    if info.expiry_date is not None:
        out["expiryDate"] = iso_utc(info.expiry_date)
    if info.parent_id_tag is not None:
        out["parentIdTag"] = info.parent_id_tag
    return out


def start_result(result: StartResult) -> dict[str, Any]:
    return {
        "transactionId": result.transaction_id,
        "idTagInfo": id_tag_info(result.id_tag_info),
    }


def stop_result(result: StopResult) -> dict[str, Any]:
    if result.id_tag_info is None:
        return {}
    return {"idTagInfo": id_tag_info(result.id_tag_info)}
