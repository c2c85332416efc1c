"""CentralSystem: the write side. Every command, from any side, goes through handle()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
)
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic

from domain import commands
from domain.exceptions import (
    DomainError,
    StationNotAcceptedError,
    UnknownOperationError,
)
from domain.id_tag import IdTag
from domain.operation import Operation
from domain.policy import Policy
from domain.ports import Clock, SystemClock, TransactionIds
from domain.snapshots import (
    SNAPSHOT_INTERVAL,
    PortableSnapshot,
    RecentDigestsAsList,
    Snapshots,
)
from domain.results import BootResult, Handled, IdTagInfo, StartResult, StopResult
from domain.station import Station
from domain.timestamps import parse_iso, station_time
from domain.transaction import Transaction
from domain.transaction_number import TransactionNumber
from domain.unit_of_work import UnitOfWork, WriterCache

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from eventsourcing.domain import Aggregate
    from eventsourcing.persistence import Notification, Recording
    from eventsourcing.utils import EnvType


# What Authorize answers from; joining or leaving a transaction does not change it.
AUTHORIZATION_EVENTS = (IdTag.Issued, IdTag.Updated)
AUTHORIZATION_TOPICS = frozenset(get_topic(cls) for cls in AUTHORIZATION_EVENTS)
PREFETCH_MIN = 4  # cold stations in a batch before they are read together


class CentralSystem(Application[UUID]):
    """Write model of the CSMS. One decision function per command; a batch of commands
    is decided against one unit of work and committed by one save()."""

    name = "CentralSystem"
    snapshot_class = PortableSnapshot
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Station: SNAPSHOT_INTERVAL, Transaction: SNAPSHOT_INTERVAL,
        IdTag: SNAPSHOT_INTERVAL,
    }  # fmt: skip

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        transaction_ids: TransactionIds | None = None,
        policy: Policy | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(env)
        self._transaction_ids = transaction_ids  # None only in read-only instances
        self.policy = policy or Policy()
        self.clock = clock or SystemClock()
        self.cache = WriterCache()
        # Told about every commit of this instance (the in-process projection follower).
        self.on_recorded: Callable[[list[Recording[UUID]]], None] | None = None
        # Read copies for Authorize, dropped whenever the tag's stream grows.
        self._authorizations: dict[UUID, IdTag] = {}
        self._generation = 0

    # -- the one writer path ---------------------------------------------------------

    def handle(self, cmd: commands.Command) -> Handled:
        """Decide and commit one command; raise its DomainError if it was refused."""
        (outcome,) = self.handle_batch([cmd], optimistic=False)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def handle_batch(
        self, cmds: list[commands.Command], *, optimistic: bool = True, **extras: Any
    ) -> list[Handled | BaseException]:
        """Decide every command in order, then save all their events in one commit.

        `extras` go to the recorder and are written in the same database transaction
        (journal rows, presence). A command that fails unexpectedly is dropped and the
        batch is decided again without it, since it may have left half-made changes.

        `optimistic` assumes an aggregate that is in neither the batch nor the cache
        does not exist yet (a new transaction), saving a query per start; if it did
        exist (a resend after a restart, another node), the save fails on the version
        check and the caller decides each command again with optimistic=False.
        """
        outcomes: list[object] = [None] * len(cmds)
        todo = list(range(len(cmds)))
        self.cache.drop_stale()
        # Stations read together and not found are new (optimistic, as below).
        absent = self._prefetch_stations(cmds) if optimistic else frozenset()
        while True:
            # Aggregates a failed attempt touched are not returned to the cache.
            uow = UnitOfWork(self.repository, self.cache, optimistic=optimistic,
                             absent=absent)  # fmt: skip
            failed = None
            for i in todo:
                try:
                    outcomes[i] = self._decide(cmds[i], uow)
                except DomainError as refused:  # raised before any change, by rule
                    outcomes[i] = refused
                except Exception as error:
                    outcomes[i], failed = error, i
                    break
            if failed is None:
                break
            todo.remove(failed)
        recordings = self._record_batch(uow.changed(), extras)
        uow.committed()
        if self.on_recorded is not None and recordings:
            self.on_recorded(recordings)
        for recording in recordings:
            if isinstance(recording.domain_event, AUTHORIZATION_EVENTS):
                self._forget_authorization(recording.domain_event.originator_id)
        last = recordings[-1].notification.id if recordings else None
        return [
            o if isinstance(o, BaseException) else Handled(o, last) for o in outcomes
        ]

    def _record_batch(
        self, aggregates: list[Aggregate], extras: dict[str, Any]
    ) -> list[Recording[UUID]]:
        """Application.save() without its per-object Protocol isinstance checks (a
        tenth of the writer's time); notify() is not used here. Snapshots due go in
        the same commit as the events they follow: as a put of their own, each was a
        second commit and fsync inside some station's answer (the bench's shared tag
        passes the interval every 50 sessions)."""
        processing: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in aggregates:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        processing.saved_kwargs.update(extras)
        if snapshots := self._due_snapshots(processing):
            processing.saved_kwargs["snapshots"] = snapshots
        return self._record(processing)

    def _prefetch_stations(self, cmds: list[commands.Command]) -> frozenset[UUID]:
        """Load the stations this batch names that the writer does not hold, all in
        one read (a boot storm brings hundreds per batch; one by one, their loads
        were the writer's main cost). Fresh from the store, like any cold load.
        Returns the ids that were not found: stations yet to be created."""
        read = getattr(self.recorder, "read_histories", None)
        names = {getattr(cmd, "charge_point_id", None) for cmd in cmds}
        missing = [
            key for key in (Station.create_id(n) for n in names if isinstance(n, str))
            if key not in self.cache
        ]  # fmt: skip
        if read is None or len(missing) < PREFETCH_MIN:
            return frozenset()  # a few cold loads cost no more one by one
        snapshots = self.snapshots.recorder if self.snapshots is not None else None
        table = getattr(snapshots, "events_table_name", None)
        loaded = []
        for snapshot, stored in read(missing, table).values():
            aggregate = self.mapper.to_domain_event(snapshot).mutate(None) if snapshot else None
            for event in stored:
                aggregate = self.mapper.to_domain_event(event).mutate(aggregate)
            if aggregate is not None:
                loaded.append(aggregate)
        self.cache.keep(loaded)
        return frozenset(missing) - {a.id for a in loaded}

    def _due_snapshots(self, processing: ProcessingEvent[UUID]) -> Snapshots | None:
        """The store and rows of the snapshots this batch's events make due: every
        aggregate of a snapshotted kind that passed an interval."""
        if self.snapshots is None:
            return None
        due = {
            e.originator_id
            for e in processing.events
            if e.originator_version % SNAPSHOT_INTERVAL == 0
            and type(processing.aggregates[e.originator_id]) in self.snapshotting_intervals
        }
        if not due:
            return None
        mapper = self.snapshots.mapper
        rows = [mapper.to_stored_event(PortableSnapshot.take(processing.aggregates[i]))
                for i in sorted(due)]  # fmt: skip
        return Snapshots(self.snapshots.recorder, rows)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(RecentDigestsAsList())

    # -- queries that need the committed write-side state ----------------------------

    def find_station(self, charge_point_id: str) -> Station | None:
        try:
            station = self.repository.get(Station.create_id(charge_point_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(station, Station)
        return station

    def authorize(self, id_tag: str) -> IdTagInfo:
        """OCPP 1.6 §4.1: never ConcurrentTx here; unknown tags are Invalid."""
        key, generation = IdTag.create_id(id_tag), self._generation
        try:
            tag = self.repository.get(key)
        except AggregateNotFoundError:
            return IdTagInfo("Invalid")
        assert isinstance(tag, IdTag)
        if generation == self._generation:  # nothing was invalidated while we read
            self._authorizations[key] = tag
        return tag.info(self.clock.now())

    def cached_authorization(self, id_tag: str) -> IdTagInfo | None:
        """Authorize without I/O when the tag was read before (any thread)."""
        tag = self._authorizations.get(IdTag.create_id(id_tag))
        return tag.info(self.clock.now()) if tag is not None else None

    def invalidate(self, notifications: Sequence[Notification]) -> None:
        """These events were committed, by this node or another (from the event log):
        drop cached copies that may be older."""
        for n in notifications:
            self.cache.invalidate(n.originator_id, n.originator_version)
            if n.topic in AUTHORIZATION_TOPICS:
                self._forget_authorization(n.originator_id)

    def forget_authorizations(self, tag_ids: Sequence[UUID]) -> None:
        """These tags' Authorize answers changed (told by the writer's process)."""
        for tag_id in tag_ids:
            self._forget_authorization(tag_id)

    def _forget_authorization(self, aggregate_id: UUID) -> None:
        self._generation += 1
        self._authorizations.pop(aggregate_id, None)

    # -- decisions, one per command --------------------------------------------------

    @singledispatchmethod
    def _decide(self, cmd: commands.Command, uow: UnitOfWork) -> object:
        raise NotImplementedError(type(cmd).__name__)

    @_decide.register
    def _register_station(self, cmd: commands.RegisterStation, uow: UnitOfWork) -> None:
        self._station(uow, cmd.charge_point_id).register(cmd.password_hash)

    @_decide.register
    def _upsert_id_tag(self, cmd: commands.UpsertIdTag, uow: UnitOfWork) -> None:
        tag = uow.get(IdTag, IdTag.create_id(cmd.id_tag))
        if tag is None:
            tag = IdTag(cmd.id_tag)
            uow.add(tag)
        expiry = parse_iso(cmd.expiry_date) if cmd.expiry_date else None
        tag.update(cmd.status, expiry, cmd.parent_id_tag, cmd.max_active_transactions)

    @_decide.register
    def _register_boot(self, cmd: commands.RegisterBoot, uow: UnitOfWork) -> BootResult:
        station = self._station(uow, cmd.charge_point_id)
        answer = "Accepted" if station.registered else self.policy.unknown_station_answer
        station.notify_boot(cmd.vendor, cmd.model, dict(cmd.details), answer)
        interval = (
            self.policy.heartbeat_interval
            if answer == "Accepted"
            else self.policy.boot_retry_interval
        )
        return BootResult(answer, interval, self.clock.now())

    @_decide.register
    def _record_authentication_failure(
        self, cmd: commands.RecordAuthenticationFailure, uow: UnitOfWork
    ) -> None:
        self._station(uow, cmd.charge_point_id).fail_authentication(cmd.reason)

    @_decide.register
    def _update_connector_status(
        self, cmd: commands.UpdateConnectorStatus, uow: UnitOfWork
    ) -> None:
        station = self._accepted_station(uow, cmd.charge_point_id)
        at = station_time(cmd.timestamp, self.clock.now())
        station.change_connector_status(
            cmd.connector_id, cmd.status, cmd.error_code, at.value, cmd.timestamp,
            cmd.info, cmd.vendor_id, cmd.vendor_error_code,
        )  # fmt: skip

    @_decide.register
    def _start_transaction(
        self, cmd: commands.StartTransaction, uow: UnitOfWork
    ) -> StartResult:
        station = self._accepted_station(uow, cmd.charge_point_id)
        now = self.clock.now()
        at = station_time(cmd.timestamp, now)
        tx_uuid = Transaction.create_id(
            cmd.charge_point_id, cmd.connector_id, at.value, cmd.timestamp,
            cmd.meter_start, cmd.id_tag,
        )  # fmt: skip
        tag = uow.get(IdTag, IdTag.create_id(cmd.id_tag))
        existing = uow.find_new(Transaction, tx_uuid)
        if existing is not None:  # rules §1.4: a resend gets the same answer
            info = tag.info(now) if tag else IdTagInfo("Invalid")
            answered = IdTagInfo(existing.authorization, info.expiry_date,
                                 info.parent_id_tag)  # fmt: skip
            return StartResult(existing.transaction_id, answered)
        # The connector's open transaction is closed below, so it is no concurrent use.
        replacing = station.occupied.get(cmd.connector_id)
        info = tag.info(now, tx_uuid, replacing) if tag else IdTagInfo("Invalid")
        if info.status == "ConcurrentTx" and not self.policy.refuse_concurrent_tx:
            info = IdTagInfo("Accepted", info.expiry_date, info.parent_id_tag)
        number = self._allocate_number()
        uow.add(TransactionNumber(number, tx_uuid))
        tx = Transaction(
            cmd.charge_point_id, cmd.connector_id, cmd.id_tag, cmd.meter_start,
            at.value, cmd.timestamp, cmd.reservation_id, number, info.status,
        )  # fmt: skip
        uow.add(tx)
        if info.status == "Accepted":
            self._occupy(uow, station, tx, tag)
        return StartResult(number, info)

    @_decide.register
    def _stop_transaction(
        self, cmd: commands.StopTransaction, uow: UnitOfWork
    ) -> StopResult:
        station = self._accepted_station(uow, cmd.charge_point_id)
        now = self.clock.now()
        info = self._tag_info(uow, cmd.id_tag) if cmd.id_tag else None
        tx = self._transaction(uow, cmd.charge_point_id, cmd.transaction_id)
        if tx is None:  # rules §1.6: answer normally, keep it for reconciliation
            station.record_unknown_stop(cmd.transaction_id, cmd.meter_stop,
                                        cmd.timestamp, cmd.reason, cmd.id_tag)  # fmt: skip
            return StopResult(info)
        at = station_time(cmd.timestamp, now)
        tx.stop(cmd.meter_stop, at.value, cmd.timestamp, cmd.reason, cmd.id_tag,
                list(cmd.transaction_data))  # fmt: skip
        self._release(uow, station, tx)
        return StopResult(info)

    @_decide.register
    def _record_meter_values(
        self, cmd: commands.RecordMeterValues, uow: UnitOfWork
    ) -> None:
        station = self._accepted_station(uow, cmd.charge_point_id)
        tx = None
        if cmd.transaction_id is not None:
            tx = self._transaction(uow, cmd.charge_point_id, cmd.transaction_id)
        if tx is not None:
            tx.record_meter_values(cmd.connector_id, list(cmd.meter_value))
        else:  # connector 0, no transaction, or an id we never allocated (E16 §3.16)
            station.record_meter_values(
                cmd.connector_id, cmd.transaction_id, list(cmd.meter_value)
            )

    @_decide.register
    def _record_data_transfer(
        self, cmd: commands.RecordDataTransfer, uow: UnitOfWork
    ) -> None:
        self._accepted_station(uow, cmd.charge_point_id).receive_data_transfer(
            cmd.vendor_id, cmd.message_id, cmd.data, cmd.status
        )

    @_decide.register
    def _record_diagnostics_status(
        self, cmd: commands.RecordDiagnosticsStatus, uow: UnitOfWork
    ) -> None:
        station = self._accepted_station(uow, cmd.charge_point_id)
        station.notify_diagnostics_status(cmd.status)

    @_decide.register
    def _record_firmware_status(
        self, cmd: commands.RecordFirmwareStatus, uow: UnitOfWork
    ) -> None:
        station = self._accepted_station(uow, cmd.charge_point_id)
        station.notify_firmware_status(cmd.status)

    @_decide.register
    def _request_operation(self, cmd: commands.RequestOperation, uow: UnitOfWork) -> UUID:
        operation = Operation(cmd.charge_point_id, cmd.action, dict(cmd.arguments),
                              cmd.requested_by)  # fmt: skip
        uow.add(operation)
        return operation.id

    @_decide.register
    def _record_operation_outcome(
        self, cmd: commands.RecordOperationOutcome, uow: UnitOfWork
    ) -> None:
        operation = uow.get(Operation, cmd.operation_id)
        if operation is None:
            raise UnknownOperationError(cmd.operation_id)
        operation.complete(cmd.outcome, cmd.error_code, cmd.error_description,
                           cmd.response)  # fmt: skip

    # -- helpers ---------------------------------------------------------------------

    def _station(self, uow: UnitOfWork, charge_point_id: str) -> Station:
        station = uow.get(Station, Station.create_id(charge_point_id))
        if station is None:
            station = Station(charge_point_id)
            uow.add(station)
        return station

    def _accepted_station(self, uow: UnitOfWork, charge_point_id: str) -> Station:
        station = uow.get(Station, Station.create_id(charge_point_id))
        if station is None or not station.accepted:
            raise StationNotAcceptedError(charge_point_id)
        return station

    def _tag_info(self, uow: UnitOfWork, id_tag: str) -> IdTagInfo:
        tag = uow.get(IdTag, IdTag.create_id(id_tag))
        return tag.info(self.clock.now()) if tag else IdTagInfo("Invalid")

    def _transaction(
        self, uow: UnitOfWork, charge_point_id: str, number: int
    ) -> Transaction | None:
        if number <= 0:  # E16 §3.18 / §3.54: -1 and 0 name no transaction
            return None
        link = uow.get(TransactionNumber, TransactionNumber.create_id(number))
        tx = uow.get(Transaction, link.transaction) if link else None
        return tx if tx and tx.charge_point_id == charge_point_id else None

    def _allocate_number(self) -> int:
        if self._transaction_ids is None:
            raise RuntimeError("this CentralSystem was built without TransactionIds")
        return self._transaction_ids.next_id()

    def _occupy(
        self, uow: UnitOfWork, station: Station, tx: Transaction, tag: IdTag | None
    ) -> None:
        """Close the stale transaction the station never stopped, then occupy."""
        stale_id = station.occupied.get(tx.connector_id)
        stale = uow.get(Transaction, stale_id) if stale_id else None
        if stale is not None:
            stale.close_as_stale(tx.transaction_id)
            self._release(uow, station, stale)
        if tag is not None:
            tag.join(tx.id)
        station.occupy(tx.connector_id, tx.id)

    def _release(self, uow: UnitOfWork, station: Station, tx: Transaction) -> None:
        station.release(tx.connector_id, tx.id)
        tag = uow.get(IdTag, IdTag.create_id(tx.id_tag))
        if tag is not None:
            tag.leave(tx.id)

