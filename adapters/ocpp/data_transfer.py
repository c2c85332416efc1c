"""Vendor-specific DataTransfer handlers (Spec §4.3): a registry keyed by vendorId."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# (data) -> (status, data); status is Accepted or Rejected by agreement with the vendor.
Handler = Callable[[str | None], tuple[str, str | None]]

CHARGELEDGER_VENDOR = "ChargeLedger"


@dataclass
class DataTransferRegistry:
    vendors: dict[str, dict[str | None, Handler]] = field(default_factory=dict)

    def register(self, vendor_id: str, message_id: str | None, handler: Handler) -> None:
        self.vendors.setdefault(vendor_id, {})[message_id] = handler

    def answer(
        self, vendor_id: str, message_id: str | None, data: str | None
    ) -> tuple[str, str | None]:
        """Rules §12.7 / T7: unknown vendor → UnknownVendorId, never Accepted."""
        handlers = self.vendors.get(vendor_id)
        if handlers is None:
            return "UnknownVendorId", None
        handler = handlers.get(message_id)
        if handler is None:
            return "UnknownMessageId", None
        return handler(data)


def default_registry() -> DataTransferRegistry:
    """Our own vendor id answers a connectivity probe; operators register more."""
    registry = DataTransferRegistry()
    registry.register(CHARGELEDGER_VENDOR, "Ping", lambda data: ("Accepted", data))
    return registry
