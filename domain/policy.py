"""Operator policy the write model applies (from settings; defaults are production-safe)."""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN_STATION_ANSWERS = {"reject": "Rejected", "pending": "Pending", "accept": "Accepted"}


@dataclass(frozen=True)
class Policy:
    unknown_stations: str = "reject"  # reject | pending | accept
    heartbeat_interval: int = 300  # seconds, sent in an Accepted BootNotification.conf
    boot_retry_interval: int = 60  # seconds a Pending/Rejected station waits (Spec §4.2)
    refuse_concurrent_tx: bool = True  # certification mode switches it off (trap T6)

    @property
    def unknown_station_answer(self) -> str:
        return UNKNOWN_STATION_ANSWERS[self.unknown_stations]
