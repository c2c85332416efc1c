"""The Transaction aggregate: one charging session, from StartTransaction to its stop."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.dedup import RecentDigests
from domain.timestamps import iso_utc, parse_iso


class Transaction(Aggregate):
    """A charging session; its integer transactionId is allocated by the CSMS."""

    class Started(Aggregate.Created):
        charge_point_id: str
        connector_id: int
        id_tag: str
        meter_start: int
        started_at: datetime
        started_at_raw: str
        reservation_id: int | None
        transaction_id: int
        authorization: str  # idTagInfo.status answered to the station

    class MeterValuesRecorded(Aggregate.Event):
        connector_id: int
        meter_value: list[dict[str, Any]]
        digest: str

        def apply(self, tx: Transaction) -> None:
            tx.recent.add(self.digest)

    class Stopped(Aggregate.Event):
        meter_stop: int
        stopped_at: datetime
        stopped_at_raw: str
        reason: str
        id_tag: str | None
        transaction_data: list[dict[str, Any]]
        energy_wh: int
        digest: str

        def apply(self, tx: Transaction) -> None:
            tx.stop_digest = self.digest
            tx.closed = True

    class StopConflicted(Aggregate.Event):
        """A later StopTransaction with other content: kept, but the first one stands."""

        meter_stop: int
        stopped_at_raw: str
        reason: str | None
        id_tag: str | None
        digest: str

    class ClosedAsStale(Aggregate.Event):
        """The station started another transaction on the connector without stopping
        this one (it lost the StopTransaction)."""

        superseded_by: int

        def apply(self, tx: Transaction) -> None:
            tx.closed = True

    @staticmethod
    @functools.lru_cache(maxsize=4096)  # eventsourcing asks again when creating it
    def create_id(
        charge_point_id: str,
        connector_id: int,
        started_at: datetime,
        started_at_raw: str,
        meter_start: int,
        id_tag: str,
    ) -> UUID:
        """The natural key of rules §1.4, so a resent start finds this aggregate.

        A trusted time is normalised (with or without milliseconds is the same
        instant); an untrusted one is keyed by its raw text."""
        trusted = parse_iso(started_at_raw) == started_at
        at = iso_utc(started_at) if trusted else started_at_raw
        key = f"{charge_point_id}/{connector_id}/{at}/{meter_start}/{id_tag.casefold()}"
        return uuid5(NAMESPACE_URL, f"/transactions/{key}")

    @event(Started)
    def __init__(
        self,
        charge_point_id: str,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        started_at: datetime,
        started_at_raw: str,
        reservation_id: int | None,
        transaction_id: int,
        authorization: str,
    ) -> None:
        self.charge_point_id = charge_point_id
        self.connector_id = connector_id
        self.id_tag = id_tag
        self.meter_start = meter_start
        self.transaction_id = transaction_id
        self.authorization = authorization
        self.stop_digest: str | None = None
        self.closed = False
        self.recent = RecentDigests()

    def record_meter_values(self, connector_id: int, meter_value: list[Any]) -> None:
        digest = RecentDigests.digest(connector_id, meter_value)
        if digest not in self.recent:
            self.trigger_event(self.MeterValuesRecorded, connector_id=connector_id,
                               meter_value=meter_value, digest=digest)  # fmt: skip

    def stop(
        self,
        meter_stop: int,
        stopped_at: datetime,
        stopped_at_raw: str,
        reason: str | None,
        id_tag: str | None,
        transaction_data: list[dict[str, Any]],
    ) -> None:
        digest = RecentDigests.digest(meter_stop, stopped_at_raw, reason, id_tag,
                                      transaction_data)  # fmt: skip
        if self.stop_digest == digest:
            return  # a resent StopTransaction: same answer, nothing new
        if self.stop_digest is not None:
            self.trigger_event(
                self.StopConflicted, meter_stop=meter_stop, stopped_at_raw=stopped_at_raw,
                reason=reason, id_tag=id_tag, digest=digest,
            )  # fmt: skip
            return
        # OCPP 1.6 §4.10 / EJ §2.5: reason absent means Local.
        self.trigger_event(
            self.Stopped, meter_stop=meter_stop, stopped_at=stopped_at,
            stopped_at_raw=stopped_at_raw, reason=reason or "Local", id_tag=id_tag,
            transaction_data=transaction_data, energy_wh=meter_stop - self.meter_start,
            digest=digest,
        )  # fmt: skip

    def close_as_stale(self, superseded_by: int) -> None:
        if not self.closed:
            self.trigger_event(self.ClosedAsStale, superseded_by=superseded_by)
