"""Two feeds beside the ledger: the changes of check decisions that consumers follow, and how
far each notifier has delivered the notices in the ledger.

Both are derived from the ledger, never the other way round: a decision change is written
after the ledger change that caused it, a delivery after the notice it delivers.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import (
    Column,
    Date,
    Identity,
    Index,
    String,
    Table,
    Text,
    exists,
    func,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from credo.adapters.stores.access import AccessStore, checks_log
from credo.adapters.stores.tables import SEQ, UtcDateTime, key_type, metadata
from credo.domain.errors import StoreUnavailable

decision_changes = Table(
    "decision_changes",
    metadata,
    Column("seq", SEQ, Identity(), primary_key=True),
    Column("subject_id", key_type(), nullable=False),
    Column("context", String(), nullable=False),
    Column("decision", String(), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("recheck_on", Date),  # when the decision may change by time alone
    Column("at", UtcDateTime, nullable=False),
    # The last decision of a subject in a context; and a context's feed, page by page.
    Index("ix_decision_changes_subject", "subject_id", "context", "seq"),
    Index("ix_decision_changes_context", "context", "seq"),
)

outbox_cursors = Table(
    "outbox_cursors",
    metadata,
    Column("channel", key_type(), primary_key=True),
    Column("delivered_seq", SEQ, nullable=False),  # the last notice entry delivered
    Column("at", UtcDateTime, nullable=False),
    Column("error", Text),  # why the next one could not be delivered, if it could not
)


@dataclass(frozen=True, slots=True)
class DecisionChange:
    subject_id: str
    context: str
    decision: str
    as_of: date
    recheck_on: date | None
    at: datetime
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class Cursor:
    channel: str
    delivered_seq: int
    at: datetime
    error: str | None = None


class FeedStore(Protocol):
    def last_decisions(self, subject_id: str) -> dict[str, str]:
        """The latest decision recorded for the subject in each context."""

    def append_changes(self, changes: Sequence[DecisionChange]) -> None: ...

    def changes(
        self, consumer: str, contexts: Collection[str], *, after: int, limit: int
    ) -> list[DecisionChange]:
        """Changes in these contexts numbered above `after`, oldest first, about the subjects
        `consumer` has checked in that context: a feed keeps a cache of answers current; it
        does not announce who is newly denied to consumers who never asked about them."""

    def cursor(self, channel: str) -> Cursor | None: ...

    def move_cursor(self, cursor: Cursor) -> None: ...


class SqlFeeds:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(credo_write=True)
                with conn.begin():
                    yield conn
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as e:
            raise StoreUnavailable(f"the ledger database is unavailable: {e.orig or e}") from e

    def last_decisions(self, subject_id: str) -> dict[str, str]:
        c = decision_changes.c
        latest = (
            select(c.context, func.max(c.seq).label("seq"))
            .where(c.subject_id == subject_id)
            .group_by(c.context)
            .subquery()
        )
        query = select(c.context, c.decision).join_from(
            decision_changes, latest, c.seq == latest.c.seq
        )
        with self._connect(write=False) as conn:
            return {str(row.context): str(row.decision) for row in conn.execute(query)}

    def append_changes(self, changes: Sequence[DecisionChange]) -> None:
        if not changes:
            return
        rows = [
            {
                "subject_id": ch.subject_id,
                "context": ch.context,
                "decision": ch.decision,
                "as_of": ch.as_of,
                "recheck_on": ch.recheck_on,
                "at": ch.at,
            }
            for ch in changes
        ]
        with self._connect(write=True) as conn:
            conn.execute(decision_changes.insert(), rows)

    def changes(
        self, consumer: str, contexts: Collection[str], *, after: int, limit: int
    ) -> list[DecisionChange]:
        c, k = decision_changes.c, checks_log.c
        asked = exists().where(
            k.subject_id == c.subject_id, k.context == c.context, k.consumer == consumer
        )
        query = (
            select(decision_changes)
            .where(c.context.in_(sorted(contexts)), c.seq > after, asked)
            .order_by(c.seq)
            .limit(limit)
        )
        with self._connect(write=False) as conn:
            return [
                DecisionChange(
                    r.subject_id, r.context, r.decision, r.as_of, r.recheck_on, r.at, r.seq
                )
                for r in conn.execute(query)
            ]

    def cursor(self, channel: str) -> Cursor | None:
        query = select(outbox_cursors).where(outbox_cursors.c.channel == channel)
        with self._connect(write=False) as conn:
            row = conn.execute(query).first()
        return None if row is None else Cursor(row.channel, row.delivered_seq, row.at, row.error)

    def move_cursor(self, cursor: Cursor) -> None:
        values = {"delivered_seq": cursor.delivered_seq, "at": cursor.at, "error": cursor.error}
        with self._connect(write=True) as conn:
            moved = conn.execute(
                outbox_cursors.update()
                .where(outbox_cursors.c.channel == cursor.channel)
                .values(values)
            )
            if moved.rowcount == 0:
                conn.execute(outbox_cursors.insert().values(channel=cursor.channel, **values))


class MemoryFeeds:
    def __init__(self, access: AccessStore) -> None:
        self._access = access
        self._lock = threading.Lock()
        self._changes: list[DecisionChange] = []
        self._cursors: dict[str, Cursor] = {}
        self._seq = itertools.count(1)

    def last_decisions(self, subject_id: str) -> dict[str, str]:
        with self._lock:
            return {ch.context: ch.decision for ch in self._changes if ch.subject_id == subject_id}

    def append_changes(self, changes: Sequence[DecisionChange]) -> None:
        with self._lock:
            self._changes.extend(replace(ch, seq=next(self._seq)) for ch in changes)

    def changes(
        self, consumer: str, contexts: Collection[str], *, after: int, limit: int
    ) -> list[DecisionChange]:
        with self._lock:
            candidates = [
                ch for ch in self._changes if ch.context in contexts and (ch.seq or 0) > after
            ]
        asked: dict[str, set[tuple[str, str]]] = {}
        out = []
        for ch in candidates:
            if ch.subject_id not in asked:
                logged = self._access.checks_about(ch.subject_id, limit=1_000_000)
                asked[ch.subject_id] = {(c.consumer, c.context) for c in logged}
            if (consumer, ch.context) in asked[ch.subject_id]:
                out.append(ch)
            if len(out) == limit:
                break
        return out

    def cursor(self, channel: str) -> Cursor | None:
        with self._lock:
            return self._cursors.get(channel)

    def move_cursor(self, cursor: Cursor) -> None:
        with self._lock:
            self._cursors[cursor.channel] = cursor


def build_feeds(engine: Engine | None, access: AccessStore) -> FeedStore:
    """Beside an SQL ledger, in its database; beside a memory ledger, in memory."""
    return SqlFeeds(engine) if engine is not None else MemoryFeeds(access)
