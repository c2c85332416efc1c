"""TransactionIds on both stores: unique positive int32 across restarts and nodes."""

from __future__ import annotations

import threading

from projections.database import Database

INT32_MAX = 2_147_483_647
BLOCK = 64  # SQLite: one extra commit per BLOCK starts, not per start


class SqliteTransactionIds:
    """Reserves blocks from a counter row; a restart skips the rest of a block."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._next = self._end = 0

    def next_id(self) -> int:
        with self._lock:
            if self._next >= self._end:
                self._end = self._reserve()
                self._next = self._end - BLOCK
            self._next += 1
            return self._next

    def _reserve(self) -> int:
        with self._db.transaction() as cur:
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
        return int(row["value"])


class PostgresTransactionIds:
    """A PostgreSQL sequence that hands out blocks: every node reserves BLOCK ids per
    round trip, and no two nodes ever get the same block."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._next = self._end = 0
        with db.transaction() as cur:
            cur.execute(
                "CREATE SEQUENCE IF NOT EXISTS chargeledger_transaction_id_blocks "
                f"INCREMENT BY {BLOCK} MINVALUE 0 START WITH 0 MAXVALUE {INT32_MAX - BLOCK}"
            )

    def next_id(self) -> int:
        with self._lock:
            if self._next >= self._end:
                rows = self._db.query(
                    "SELECT nextval('chargeledger_transaction_id_blocks') AS start"
                )
                start = int(rows[0]["start"])
                self._next, self._end = start, start + BLOCK
            self._next += 1  # ids start + 1 … start + BLOCK: never 0 (rules §1.1)
            return self._next
