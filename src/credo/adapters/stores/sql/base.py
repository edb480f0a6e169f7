"""What every SQL ledger store stands on: its engine and signer, its transactions and the
errors they raise, and the hooks each dialect fills (`sqlite`, `postgres`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert

from credo.adapters import signing
from credo.adapters.stores.sql import audit as audit_sql
from credo.adapters.stores.sql.rows import RecordRow
from credo.adapters.stores.sql.tables import records
from credo.domain.audit.tree_heads import HeadSigner
from credo.domain.errors import StoreUnavailable

if TYPE_CHECKING:
    from credo.adapters.stores.sql.ledger import SqlLedgerStore


class SqlBase:
    """The engine, the transactions and the dialect's hooks; the store's concerns are classes
    on top of it (`SqlEntries`, `SqlScores`, `SqlLedgerStore`)."""

    snapshot: ClassVar[dict[str, str]] = {}
    """Execution options giving one consistent snapshot across the queries of a scan."""

    def __init__(self, engine: Engine, signer: HeadSigner | None = None) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        # Without a signer of its own (a test's store), heads are signed by a key of its own.
        self.signer = signer or signing.generated()

    # -- what a dialect provides ----------------------------------------------------------

    def recipe(self) -> Callable[[], SqlLedgerStore]:
        """How another process opens this store again: picklable, so a worker can be given it
        (`shares`)."""
        raise NotImplementedError

    def _insert_rows(self, conn: Connection, rows: list[RecordRow], at: datetime) -> dict[str, int]:
        """Insert `rows` (distinct keys, in batch order) ignoring key conflicts, in record id
        order, then the subjects of the records created (as first seen in the batch); return
        the ids of the records created, each with its sequence number."""
        raise NotImplementedError

    def _held_otherwise(
        self, conn: Connection, rows: list[RecordRow], created: Collection[str]
    ) -> dict[str, str]:
        """For the keys not created whose stored fingerprint differs from the row's: that
        stored fingerprint. The same transaction as the insert, after it."""
        mine = {row[0]: row[10] for row in rows if row[0] not in created}
        if not mine:
            return {}
        query = select(records.c.record_id, records.c.fingerprint).where(
            self._one_of(records.c.record_id, list(mine))
        )
        return {rid: fp for rid, fp in conn.execute(query) if fp != mine[rid]}

    def _one_of(self, column: ColumnElement[str], values: list[str]) -> ColumnElement[bool]:
        """`column` is one of `values`, sent as one parameter however many there are."""
        raise NotImplementedError

    def _insert_ignoring_conflicts(self, table: Any) -> Insert:
        raise NotImplementedError

    def _prepare_migration(self, conn: Connection) -> None:
        """Runs first in the migration's transaction (locks, schemas)."""

    def _lock_log(self, conn: Connection) -> None:
        """Make this transaction the only one appending to the ledger until it ends: taken
        first, so the log's order is the order rows were numbered in, kind by kind."""

    @contextmanager
    def _append_tx(self) -> Iterator[Connection]:
        """A write transaction that appends to the ledger (and so to its log)."""
        with self._write() as conn:
            self._lock_log(conn)
            yield conn

    def _grow(self, conn: Connection, items: Sequence[audit_sql.Grown]) -> None:
        audit_sql.grow(conn, items, self.signer, datetime.now(UTC))

    def _is_transient(self, error: BaseException) -> bool:
        """An error after which the same transaction, retried, may succeed (a deadlock)."""
        return False

    # -- connections and errors -----------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as e:
            lines = str(e.orig or e).strip().splitlines()
            reason = lines[0] if lines else type(e.orig or e).__name__
            raise StoreUnavailable(
                f"the ledger database {self.url} is unavailable: {reason}"
            ) from e

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(credo_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self, **options: Any) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            if options:
                conn.execution_options(**options)
            with conn.begin():
                yield conn
