"""Every read model the CSMS keeps, by name (serve runs them all; replay picks some)."""

from __future__ import annotations

from projections.base import SqlProjection
from projections.event_index import EventIndexProjection
from projections.id_tags import IdTagsProjection
from projections.operations import OperationsProjection
from projections.stations import StationsProjection
from projections.transactions import TransactionsProjection
from projections.unknown_stations import UnknownStationsProjection

PROJECTIONS: dict[str, type[SqlProjection]] = {
    cls.name: cls
    for cls in (
        StationsProjection,
        UnknownStationsProjection,
        TransactionsProjection,
        IdTagsProjection,
        OperationsProjection,
        EventIndexProjection,
    )
}


def build_projections(
    names: list[str] | None = None, *, prefix: str = "", secondary: bool = True
) -> list[SqlProjection]:
    """The named projections (all by default), with tables under `prefix`; without
    their non-unique indexes unless `secondary` (a scratch rebuild)."""
    unknown = set(names or ()) - PROJECTIONS.keys()
    if unknown:
        raise KeyError(f"unknown projections: {', '.join(sorted(unknown))}")
    return [PROJECTIONS[n](prefix, secondary=secondary) for n in names or PROJECTIONS]
