"""Web sessions and one-time sign-in codes: what a browser holds instead of an API key.

Both are kept as HMAC digests of their tokens, as keys are (`services.keys`): a copy of the
database gives no way into anyone's session. A session belongs to the key it was opened with,
so revoking the key ends it too.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Column, Index, Table, delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from credo.adapters.stores.sql.tables import UtcDateTime, key_type, metadata, transaction
from credo.domain.ledger.entries import AdminEntry

if TYPE_CHECKING:
    from credo.adapters.stores.memory import MemoryLedgerStore
    from credo.adapters.stores.sql.ledger import SqlLedgerStore

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", key_type(), primary_key=True),  # HMAC-SHA256 of the cookie's token
    Column("key_digest", key_type(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Index("ix_web_sessions_key", "key_digest"),
)

login_codes = Table(
    "login_codes",
    metadata,
    Column("digest", key_type(), primary_key=True),  # HMAC-SHA256 of the code
    Column("key_digest", key_type(), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)


@dataclass(frozen=True, slots=True)
class WebSession:
    digest: str
    key_digest: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class LoginCode:
    digest: str
    key_digest: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class SessionStore(Protocol):
    """Implementations: `SqlSessionStore` (on the ledger's engine and migrations) and
    `MemorySessionStore`."""

    def forget_expired(self, *, before: datetime) -> None:
        """Drop sessions and codes that expired before `before`: nothing can use them."""

    def add_session(self, session: WebSession) -> None: ...

    def session(self, digest: str) -> WebSession | None: ...

    def end_session(self, digest: str, *, at: datetime) -> None: ...

    def add_code(self, code: LoginCode, *, audit: AdminEntry) -> None:
        """Keep the code and append `audit`, the sign-in link's admin entry, in one
        transaction."""

    def use_code(self, digest: str, *, at: datetime) -> str | None:
        """Mark the code used, once, if it is unused and unexpired at `at`: the digest of the
        key it opens, or None. Two requests racing with one code get one session between them."""


def _session(row: object) -> WebSession:
    return WebSession(
        row.digest,  # type: ignore[attr-defined]
        row.key_digest,  # type: ignore[attr-defined]
        row.created_at,  # type: ignore[attr-defined]
        row.expires_at,  # type: ignore[attr-defined]
        row.ended_at,  # type: ignore[attr-defined]
    )


class SqlSessionStore:
    def __init__(self, engine: Engine, log: SqlLedgerStore) -> None:
        self.engine = engine
        self.log = log

    def _connect(self, *, write: bool) -> AbstractContextManager[Connection]:
        return transaction(self.engine, write=write, what="session")

    def forget_expired(self, *, before: datetime) -> None:
        with self._connect(write=True) as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < before))
            conn.execute(delete(login_codes).where(login_codes.c.expires_at < before))

    def add_session(self, session: WebSession) -> None:
        with self._connect(write=True) as conn:
            conn.execute(
                insert(web_sessions).values(
                    digest=session.digest,
                    key_digest=session.key_digest,
                    created_at=session.created_at,
                    expires_at=session.expires_at,
                )
            )

    def session(self, digest: str) -> WebSession | None:
        with self._connect(write=False) as conn:
            row = conn.execute(select(web_sessions).where(web_sessions.c.digest == digest)).first()
        return _session(row) if row is not None else None

    def end_session(self, digest: str, *, at: datetime) -> None:
        mine = (web_sessions.c.digest == digest) & web_sessions.c.ended_at.is_(None)
        with self._connect(write=True) as conn:
            conn.execute(update(web_sessions).where(mine).values(ended_at=at))

    def add_code(self, code: LoginCode, *, audit: AdminEntry) -> None:
        def act(conn: Connection) -> list[AdminEntry]:
            conn.execute(
                insert(login_codes).values(
                    digest=code.digest,
                    key_digest=code.key_digest,
                    created_at=code.created_at,
                    expires_at=code.expires_at,
                )
            )
            return [audit]

        self.log.audited(act)

    def use_code(self, digest: str, *, at: datetime) -> str | None:
        usable = (
            (login_codes.c.digest == digest)
            & login_codes.c.used_at.is_(None)
            & (login_codes.c.expires_at > at)
        )
        with self._connect(write=True) as conn:
            # One UPDATE decides: of two requests with the same code, one changes the row.
            done = conn.execute(update(login_codes).where(usable).values(used_at=at))
            if done.rowcount != 1:
                return None
            key_digest = conn.execute(
                select(login_codes.c.key_digest).where(login_codes.c.digest == digest)
            ).scalar_one()
        return str(key_digest)


class MemorySessionStore:
    def __init__(self, log: MemoryLedgerStore) -> None:
        self.log = log
        self._lock = threading.Lock()
        self._sessions: dict[str, WebSession] = {}
        self._codes: dict[str, LoginCode] = {}

    def forget_expired(self, *, before: datetime) -> None:
        with self._lock:
            self._sessions = {d: s for d, s in self._sessions.items() if s.expires_at >= before}
            self._codes = {d: c for d, c in self._codes.items() if c.expires_at >= before}

    def add_session(self, session: WebSession) -> None:
        with self._lock:
            self._sessions[session.digest] = session

    def session(self, digest: str) -> WebSession | None:
        return self._sessions.get(digest)

    def end_session(self, digest: str, *, at: datetime) -> None:
        with self._lock:
            held = self._sessions.get(digest)
            if held is not None and held.ended_at is None:
                self._sessions[digest] = replace(held, ended_at=at)

    def add_code(self, code: LoginCode, *, audit: AdminEntry) -> None:
        def act() -> list[AdminEntry]:
            self._codes[code.digest] = code
            return [audit]

        with self._lock:
            self.log.audited(act)

    def use_code(self, digest: str, *, at: datetime) -> str | None:
        with self._lock:
            code = self._codes.get(digest)
            if code is None or code.used_at is not None or code.expires_at <= at:
                return None
            self._codes[digest] = replace(code, used_at=at)
            return code.key_digest
