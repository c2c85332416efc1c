"""Domain events from stored rows, for the projections, at rebuild speed.

eventsourcing's mapper decodes with stdlib json and an object hook called for every
JSON object, then builds a UUID per event: most of a rebuild's time. This decoder
gives the same event objects (object.__new__ plus the state as `__dict__`, as the
mapper does) from orjson, reviving the transcoder's `{"_type_", "_data_"}` markers
only where the bytes say there are some. The originator id stays the canonical text
(`str()` of it is what every projection stores). Anything orjson would read
differently (NaN, integers beyond 64 bits) or a marker it does not know goes through
the mapper unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

if TYPE_CHECKING:
    from eventsourcing.persistence import JSONTranscoder, Mapper

UNKNOWN = SafeUUID.unknown  # an Enum member read per UUID is a Python property call
MARKER = b'"_type_"'  # inside a JSON string a quote is escaped: only keys match
# Nineteen digits in a row may be an integer beyond 64 bits (a false alarm, such as
# a long id tag, only sends the event through the mapper).
DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
LONG_NUMBER = b"0" * 19
KEPT_UUIDS = 50_000  # a transaction's id recurs in the events of three aggregates
Revive = Callable[[Any], Any]


def canonical_id(stored: str) -> str:
    """`str(UUID(stored))` without the UUID: SQLite stores 32 hex digits,
    PostgreSQL's uuid reads back as text already canonical."""
    if len(stored) == 32:
        s = stored.lower()
        return f"{s[:8]}-{s[8:12]}-{s[12:16]}-{s[16:20]}-{s[20:]}"
    return stored if len(stored) == 36 else str(UUID(stored))


def with_text_id(event: Any) -> Any:
    """A copy of an event the writer handed over, its originator_id as text, as
    EventDecoder gives it: every event then reaches the projections alike, and
    their many `str(event.originator_id)` cost nothing."""
    copy = object.__new__(type(event))
    state = {**vars(event), "originator_id": str(event.originator_id)}
    object.__setattr__(copy, "__dict__", state)
    return copy


class _Topic:
    """What decoding one topic needs, and the keys its markers were found under."""

    def __init__(self, topic: str) -> None:
        self.cls: type = resolve_topic(topic)
        self.version: int = getattr(self.cls, "class_version", 1)
        self.flat: list[str] = []  # keys seen holding a marker with text data


class EventDecoder:
    """Decodes `(topic, state, originator id, version)` as the application's mapper
    would, with the transcodings registered on its transcoder."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self._mapper = mapper
        transcoder: JSONTranscoder = mapper.transcoder  # type: ignore[assignment]
        self._revivers: dict[str, Revive] = {
            name: transcoding.decode for name, transcoding in transcoder.names.items()
        }
        # The library's own transcodings as direct calls.
        self._revivers.update(datetime_iso=datetime.fromisoformat, uuid_hex=self._uuid)
        self._plain = mapper.cipher is None and mapper.compressor is None
        self._topics: dict[str, _Topic] = {}
        self._uuids: dict[str, UUID] = {}

    def decode(self, topic: str, state: bytes, originator_id: str, version: int) -> Any:
        # One function, the usual case inline: it runs once per event of a rebuild,
        # where a call per step (readable, revive) cost a third of decoding.
        kind = self._topics.get(topic)
        if kind is None:
            kind = self._topics[topic] = _Topic(topic)
        data = None
        # orjson reads these bytes as json does: no cipher or compression, and no
        # integer too long for 64 bits (orjson would make it a float, silently).
        if self._plain and LONG_NUMBER not in state.translate(DIGITS_AS_ZERO):
            try:
                data = orjson.loads(state)
                self._revive_state(kind, data, state)
            except (orjson.JSONDecodeError, KeyError):  # KeyError: unknown transcoding
                data = None
        if data is None:  # the mapper decodes, or says why it cannot
            stored = StoredEvent(UUID(originator_id), version, topic, state)
            return self._mapper.to_domain_event(stored)
        data["originator_id"] = originator_id
        data["originator_version"] = version
        if kind.version != 1 or "class_version" in data:
            for v in range(data.pop("class_version", 1), kind.version):
                getattr(kind.cls, f"upcast_v{v}_v{v + 1}")(data)
        event = object.__new__(kind.cls)
        object.__setattr__(event, "__dict__", data)
        return event

    def _revive_state(self, kind: _Topic, data: dict[str, Any], state: bytes) -> None:
        """Markers back to values, in place. The bytes say how many there are: the
        keys this topic had them under (timestamps, ids) usually hold them all, so
        the other fields, and meter values, are never walked."""
        found, revivers = 0, self._revivers
        for key in kind.flat:
            value = data.get(key)
            if type(value) is dict and len(value) == 2:
                raw = value.get("_data_")
                if type(raw) is str:
                    data[key] = revivers[value["_type_"]](raw)
                    found += 1
        if state.count(MARKER) > found:
            self._revive_fields(kind, data)

    def _revive_fields(self, kind: _Topic, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if type(value) is dict and type(value.get("_data_")) is str:
                if len(value) == 2 and "_type_" in value and key not in kind.flat:
                    kind.flat.append(key)
            if type(value) in (dict, list):
                data[key] = self._revive(value)

    def _revive(self, value: Any) -> Any:
        """What json's object_hook does, inner objects first."""
        if type(value) is list:
            return [self._revive(item) for item in value]
        if type(value) is not dict:
            return value
        for key, item in value.items():
            if type(item) in (dict, list):
                value[key] = self._revive(item)
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return self._revivers[value["_type_"]](value["_data_"])
        return value

    def _uuid(self, data: str) -> UUID:
        """UUIDAsHex.decode without UUID.__init__'s parsing, each id made once."""
        found = self._uuids.get(data)
        if found is None:
            if len(data) != 32:
                return UUID(data)
            if len(self._uuids) >= KEPT_UUIDS:
                self._uuids.clear()
            found = self._uuids[data] = object.__new__(UUID)
            object.__setattr__(found, "int", int(data, 16))
            object.__setattr__(found, "is_safe", UNKNOWN)
        return found
