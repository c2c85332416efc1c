"""The audit's handle on a CSMS database: the stored history (read as in
projections/history_store.py) opened by the CLI, and the CLI's one-line refusal."""

from __future__ import annotations

from ops.cli import CliError
from projections.history_store import History


class AuditError(CliError):
    """Something asked for does not exist or cannot be read: one line for the user
    (a CliError, so `chargeledger` prints it as such and exits 2)."""


class Ledger(History):
    """One CSMS database opened for audit: it owns its read-only CentralSystem and
    its database, and closes them."""

    def close(self) -> None:
        self.central.close()
        self.db.close()
