"""One function per station-initiated 1.6 action: build command → commit → answer.

Business refusals come back as results (idTagInfo Invalid, Boot Rejected); only
malformed or unsupported input becomes a CALLERROR (ARCHITECTURE.md §4).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.ocpp import translate
from domain import commands
from domain.timestamps import iso_utc

if TYPE_CHECKING:
    from adapters.ocpp.session import StationSession

Payload = dict[str, Any]
Handler = Callable[["StationSession", Payload], Awaitable[Payload]]


async def boot_notification(s: StationSession, p: Payload) -> Payload:
    result = await s.execute(translate.register_boot(s.station_id, p))
    s.accepted = result.status == "Accepted"
    return translate.boot_result(result)


async def heartbeat(s: StationSession, p: Payload) -> Payload:
    # Presence only (ARCHITECTURE.md §9): the session records the sighting.
    return {"currentTime": iso_utc(datetime.now(UTC))}


async def authorize(s: StationSession, p: Payload) -> Payload:
    info = await s.backend.authorize(p["idTag"])
    return {"idTagInfo": translate.id_tag_info(info)}


async def status_notification(s: StationSession, p: Payload) -> Payload:
    await s.execute(translate.update_connector_status(s.station_id, p))
    return {}


async def start_transaction(s: StationSession, p: Payload) -> Payload:
    result = await s.execute(translate.start_transaction(s.station_id, p))
    return translate.start_result(result)


async def stop_transaction(s: StationSession, p: Payload) -> Payload:
    result = await s.execute(translate.stop_transaction(s.station_id, p))
    return translate.stop_result(result)


async def meter_values(s: StationSession, p: Payload) -> Payload:
    await s.execute(translate.meter_values(s.station_id, p))
    return {}


async def data_transfer(s: StationSession, p: Payload) -> Payload:
    vendor, message, data = p["vendorId"], p.get("messageId"), p.get("data")
    status, answer = s.data_transfer.answer(vendor, message, data)
    command = commands.RecordDataTransfer(s.station_id, vendor, message, data, status)
    await s.execute(command)
    return {"status": status} if answer is None else {"status": status, "data": answer}


async def diagnostics_status(s: StationSession, p: Payload) -> Payload:
    await s.execute(commands.RecordDiagnosticsStatus(s.station_id, p["status"]))
    return {}


async def firmware_status(s: StationSession, p: Payload) -> Payload:
    await s.execute(commands.RecordFirmwareStatus(s.station_id, p["status"]))
    return {}


HANDLERS: dict[str, Handler] = {
    "BootNotification": boot_notification,
    "Heartbeat": heartbeat,
    "Authorize": authorize,
    "StatusNotification": status_notification,
    "StartTransaction": start_transaction,
    "StopTransaction": stop_transaction,
    "MeterValues": meter_values,
    "DataTransfer": data_transfer,
    "DiagnosticsStatusNotification": diagnostics_status,
    "FirmwareStatusNotification": firmware_status,
}
