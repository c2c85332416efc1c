"""Domain errors: business rule violations the adapters map to answers."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by a business rule."""


class StationNotAcceptedError(DomainError):
    """The station's registration is not Accepted (EJ §3.8: answer SecurityError)."""


class UnknownStationError(DomainError):
    """No station with that identity has ever been seen."""


class UnknownOperationError(DomainError):
    """No operation with that id was ever requested."""
