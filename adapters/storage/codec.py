"""The stored form of events: eventsourcing's JSON, written by orjson.

eventsourcing's JSONTranscoder runs the stdlib encoder with a Python hook per UUID and
datetime: a fifth of the single writer's time under load. The state written here is
the same JSON, byte for byte in practice (same separators, key order and
`{"_type_", "_data_"}` markers), so reading stays eventsourcing's and old and new rows
mix freely. Snapshots, whose aggregate state may hold UUIDs inside containers (which
orjson would write as bare strings), keep the stdlib path; so does anything orjson
refuses (non-string keys, unregistered types).
"""

from __future__ import annotations

from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME  # datetimes reach the transcoding hook


class LedgerMapper(Mapper[UUID]):
    """Mapper whose events are encoded by orjson (domain event fields are flat:
    a UUID only ever sits at the top level; containers hold JSON from the wire)."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        transcoder = self.transcoder
        if (
            isinstance(domain_event, Snapshot)
            or self.compressor is not None
            or self.cipher is not None
            or not isinstance(transcoder, JSONTranscoder)
        ):
            return super().to_stored_event(domain_event)
        cls = type(domain_event)
        state = {
            key: {"_type_": "uuid_hex", "_data_": value.hex} if type(value) is UUID else value
            for key, value in vars(domain_event).items()
            if key != "originator_id" and key != "originator_version"
        }
        if getattr(cls, "class_version", 1) > 1:
            state["class_version"] = cls.class_version
        try:
            encoded = orjson.dumps(state, default=transcoder._encode_obj, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: let the stdlib path decide
            return super().to_stored_event(domain_event)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(cls),
            state=encoded,
        )

