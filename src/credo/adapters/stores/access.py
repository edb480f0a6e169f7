"""API keys and the log of checks: who may call the API, and what consumers were told about whom.

Neither is part of the ledger, but making or revoking a key is: each is written with its admin
entry (`domain.entries.AdminEntry`), its leaf and a signed head in one transaction of the
ledger's. A key is revoked by stamping it (the row stays, so a listing shows who held access
and until when); a logged check is never changed.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import orjson
from sqlalchemy import (
    Column,
    Date,
    Float,
    Identity,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from credo.adapters.stores.sql.tables import SEQ, UtcDateTime, as_utc, key_type, metadata
from credo.domain.errors import StoreUnavailable
from credo.domain.ledger.entries import AdminEntry

if TYPE_CHECKING:
    from credo.adapters.stores.memory import MemoryLedgerStore
    from credo.adapters.stores.sql.ledger import SqlLedgerStore

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", key_type(), primary_key=True),
    Column("digest", String(), nullable=False),  # HMAC-SHA256 of the token; the token is not kept
    Column("role", String(), nullable=False),
    Column("principal", key_type(), nullable=False),
    Column("scopes", Text, nullable=False),  # JSON: record types (providers), contexts (consumers)
    Column("rate", Float),  # requests per second; NULL: the server's default
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    UniqueConstraint("digest", name="uq_api_keys_digest"),
)

checks_log = Table(
    "checks",
    metadata,
    Column("seq", SEQ, Identity(), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("consumer", key_type(), nullable=False),
    Column("key_id", key_type(), nullable=False),
    Column("subject_id", key_type(), nullable=False),
    Column("context", String(), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("decision", String(), nullable=False),
    Column("answer", Text, nullable=False),  # JSON: {terms, measures}
    # A subject reads the checks about it newest first, a page at a time.
    Index("ix_checks_subject", "subject_id", "seq"),
)


_LOG_CHECK = insert(checks_log).returning(checks_log.c.seq)
_LOGGED = ["at", "consumer", "key_id", "subject_id", "context", "as_of", "decision", "answer"]


@dataclass(frozen=True, slots=True)
class StoredKey:
    key_id: str
    digest: str
    role: str
    principal: str
    scopes: tuple[str, ...]
    rate: float | None
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoggedCheck:
    """One answered check: who asked, about whom, when, in which context, and the answer."""

    at: datetime
    consumer: str
    key_id: str
    subject_id: str
    context: str
    as_of: date
    decision: str
    terms: dict[str, Any] = field(default_factory=dict)
    measures: tuple[str, ...] = ()
    seq: int | None = None


class AccessStore(Protocol):
    """Keys and the check log. Implementations: `SqlAccessStore` (SQLite, PostgreSQL, on the
    ledger's own engine and migrations) and `MemoryAccessStore`."""

    def add_key(self, key: StoredKey, *, audit: AdminEntry) -> None:
        """Store the key and append `audit`, its admin entry, in one transaction."""

    def key_by_digest(self, digest: str) -> StoredKey | None: ...

    def all_keys(self) -> list[StoredKey]:
        """Every key, revoked ones included, oldest first."""

    def revoke_key(self, key_id: str, *, at: datetime, audit: AdminEntry) -> StoredKey | None:
        """Stamp the key revoked and append `audit` in one transaction, once: a second
        revocation keeps the first date and appends nothing. None if there is no such key."""

    def log_check(self, check: LoggedCheck) -> int:
        """Append an answered check; returns its sequence number."""

    def checks_about(
        self, subject_id: str, *, before: int | None = None, limit: int = 50
    ) -> list[LoggedCheck]:
        """The checks about a subject, newest first, those with `seq < before` if given."""


def _key_from_row(row: Any) -> StoredKey:
    return StoredKey(
        row.key_id,
        row.digest,
        row.role,
        row.principal,
        tuple(orjson.loads(row.scopes)),
        row.rate,
        row.created_at,
        row.revoked_at,
    )


def _check_from_row(row: Any) -> LoggedCheck:
    answer = orjson.loads(row.answer)
    return LoggedCheck(
        row.at,
        row.consumer,
        row.key_id,
        row.subject_id,
        row.context,
        row.as_of,
        row.decision,
        answer["terms"],
        tuple(answer["measures"]),
        row.seq,
    )


class SqlAccessStore:
    """On the ledger store's engine, so its connection settings (SQLite's write lock, the
    PostgreSQL schema) apply here too; the tables come with the ledger's migrations."""

    def __init__(self, engine: Engine, log: SqlLedgerStore) -> None:
        self.engine = engine
        self.log = log
        # On PostgreSQL one statement is a transaction of its own, so a read or a single
        # insert skips the round trips of BEGIN and COMMIT; SQLite begins its transactions
        # itself (`sql/sqlite.py`), and keeps them.
        self._alone = engine.dialect.name == "postgresql"
        self._log_sql = str(_LOG_CHECK.compile(dialect=engine.dialect, column_keys=_LOGGED))

    @contextmanager
    def _connect(self, *, write: bool, alone: bool = False) -> Iterator[Connection]:
        """A connection in a transaction; or, for one statement (`alone`), where the database
        makes that statement a transaction by itself, in none."""
        try:
            with self.engine.connect() as conn:
                if alone and self._alone:
                    conn.execution_options(isolation_level="AUTOCOMMIT")
                    yield conn
                    return
                if write:
                    conn.execution_options(credo_write=True)
                with conn.begin():
                    yield conn
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as e:
            lines = str(e.orig or e).strip().splitlines()
            reason = lines[0] if lines else type(e.orig or e).__name__
            raise StoreUnavailable(f"the access database is unavailable: {reason}") from e

    def add_key(self, key: StoredKey, *, audit: AdminEntry) -> None:
        values = {
            "key_id": key.key_id,
            "digest": key.digest,
            "role": key.role,
            "principal": key.principal,
            "scopes": orjson.dumps(list(key.scopes)).decode(),
            "rate": key.rate,
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
        }

        def act(conn: Connection) -> list[AdminEntry]:
            conn.execute(insert(api_keys).values(values))
            return [audit]

        self.log.audited(act)

    def key_by_digest(self, digest: str) -> StoredKey | None:
        with self._connect(write=False, alone=True) as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.digest == digest)).first()
        return _key_from_row(row) if row is not None else None

    def all_keys(self) -> list[StoredKey]:
        query = select(api_keys).order_by(api_keys.c.created_at, api_keys.c.key_id)
        with self._connect(write=False) as conn:
            return [_key_from_row(row) for row in conn.execute(query)]

    def revoke_key(self, key_id: str, *, at: datetime, audit: AdminEntry) -> StoredKey | None:
        mine = api_keys.c.key_id == key_id
        found: list[Any] = []

        def act(conn: Connection) -> list[AdminEntry]:
            done = conn.execute(
                update(api_keys).where(mine & api_keys.c.revoked_at.is_(None)), {"revoked_at": at}
            )
            found.append(conn.execute(select(api_keys).where(mine)).first())
            return [audit] if done.rowcount == 1 else []

        self.log.audited(act)
        return _key_from_row(found[0]) if found[0] is not None else None

    def log_check(self, check: LoggedCheck) -> int:
        answer = {"terms": check.terms, "measures": list(check.measures)}
        values = {
            "at": check.at,
            "consumer": check.consumer,
            "key_id": check.key_id,
            "subject_id": check.subject_id,
            "context": check.context,
            "as_of": check.as_of,
            "decision": check.decision,
            "answer": orjson.dumps(answer).decode(),
        }
        if self._alone:
            return self._log_on_driver(values)
        with self._connect(write=True, alone=True) as conn:
            return int(conn.execute(_LOG_CHECK, values).scalar_one())

    def _log_on_driver(self, values: dict[str, Any]) -> int:
        """As `log_check`, on the driver's cursor as a prepared statement: a third of the CPU
        SQLAlchemy spends executing the same insert, on the path every check takes."""
        values["at"] = as_utc(values["at"])
        with self._connect(write=True, alone=True) as conn:
            dbapi = conn.dialect.loaded_dbapi
            try:
                with conn.connection.driver_connection.cursor() as cur:  # type: ignore[union-attr]
                    cur.execute(self._log_sql, values, prepare=True)
                    return int(cur.fetchone()[0])
            except dbapi.Error as e:
                raise sa_exc.DBAPIError.instance(self._log_sql, None, e, dbapi.Error) from e

    def checks_about(
        self, subject_id: str, *, before: int | None = None, limit: int = 50
    ) -> list[LoggedCheck]:
        query = select(checks_log).where(checks_log.c.subject_id == subject_id)
        if before is not None:
            query = query.where(checks_log.c.seq < before)
        query = query.order_by(checks_log.c.seq.desc()).limit(limit)
        with self._connect(write=False, alone=True) as conn:
            return [_check_from_row(row) for row in conn.execute(query)]


class MemoryAccessStore:
    def __init__(self, log: MemoryLedgerStore) -> None:
        self.log = log
        self._lock = threading.Lock()
        self._keys: dict[str, StoredKey] = {}
        self._checks: list[LoggedCheck] = []
        self._seq = itertools.count(1)

    def add_key(self, key: StoredKey, *, audit: AdminEntry) -> None:
        def act() -> list[AdminEntry]:
            if key.key_id in self._keys or self.key_by_digest(key.digest) is not None:
                raise ValueError(f"key {key.key_id} exists")
            self._keys[key.key_id] = key
            return [audit]

        with self._lock:
            self.log.audited(act)

    def key_by_digest(self, digest: str) -> StoredKey | None:
        return next((k for k in list(self._keys.values()) if k.digest == digest), None)

    def all_keys(self) -> list[StoredKey]:
        with self._lock:
            return sorted(self._keys.values(), key=lambda k: (k.created_at, k.key_id))

    def revoke_key(self, key_id: str, *, at: datetime, audit: AdminEntry) -> StoredKey | None:
        found: list[StoredKey | None] = []

        def act() -> list[AdminEntry]:
            key = self._keys.get(key_id)
            if key is None or key.revoked_at is not None:
                found.append(key)
                return []
            revoked = self._keys[key_id] = replace(key, revoked_at=at)
            found.append(revoked)
            return [audit]

        with self._lock:
            self.log.audited(act)
        return found[0]

    def log_check(self, check: LoggedCheck) -> int:
        with self._lock:
            seq = next(self._seq)
            self._checks.append(replace(check, terms=dict(check.terms), seq=seq))
            return seq

    def checks_about(
        self, subject_id: str, *, before: int | None = None, limit: int = 50
    ) -> list[LoggedCheck]:
        with self._lock:
            found = [
                c
                for c in reversed(self._checks)
                if c.subject_id == subject_id and (before is None or (c.seq or 0) < before)
            ]
        return found[:limit]
