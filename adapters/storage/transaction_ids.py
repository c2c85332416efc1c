"""TransactionIds on both stores: unique positive int32 across restarts and nodes.

Both hand out ids in blocks of BLOCK per database round trip; a restart skips the
rest of a block (gaps are fine, reuse is not)."""

from __future__ import annotations

import threading

from projections.database import Database

INT32_MAX = 2_147_483_647
BLOCK = 64


class _BlockedIds:
    """Ids start + 1 … start + BLOCK from each reserved block: never 0 (rules §1.1)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._next = self._end = 0

    def next_id(self) -> int:
        with self._lock:
            if self._next >= self._end:
                self._next = self._reserve_block()
                self._end = self._next + BLOCK
            self._next += 1
            return self._next

    def _reserve_block(self) -> int:
        """The start of a block nobody else will get."""
        raise NotImplementedError


class SqliteTransactionIds(_BlockedIds):
    """A counter row in the ledger file, moved on by BLOCK in its own short
    transaction (never in the rebuildable views file: ids must not come back)."""

    def _reserve_block(self) -> int:
        with self._db.ledger.transaction() as cur:
            cur.execute(
                "INSERT INTO chargeledger_sequences (name, value) VALUES "
                "('transaction_id', ?) ON CONFLICT (name) DO UPDATE "
                "SET value = chargeledger_sequences.value + ? RETURNING value",
                (BLOCK, BLOCK),
            )
            row = cur.fetchone()
        assert row is not None
        if row["value"] > INT32_MAX:
            raise OverflowError("transactionId space exhausted")
        return int(row["value"]) - BLOCK


class PostgresTransactionIds(_BlockedIds):
    """A PostgreSQL sequence stepping by BLOCK: shared by every node."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        with db.transaction() as cur:
            cur.execute(
                "CREATE SEQUENCE IF NOT EXISTS chargeledger_transaction_id_blocks "
                f"INCREMENT BY {BLOCK} MINVALUE 0 START WITH 0 MAXVALUE {INT32_MAX - BLOCK}"
            )

    def _reserve_block(self) -> int:
        rows = self._db.query("SELECT nextval('chargeledger_transaction_id_blocks') AS start")
        return int(rows[0]["start"])
