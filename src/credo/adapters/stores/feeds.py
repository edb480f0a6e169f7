"""Two feeds beside the ledger: the changes of check decisions that consumers follow, and how
far each notifier has delivered the notices in the ledger.

Both are derived from the ledger, never the other way round: a decision change is written
after the ledger change that caused it, a delivery after the notice it delivers.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    Date,
    Identity,
    Index,
    String,
    Table,
    Text,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import ScalarSelect

from credo.adapters.stores.access import AccessStore, checks_log
from credo.adapters.stores.sql.rows import ledger_sizes
from credo.adapters.stores.sql.tables import (
    SEQ,
    UtcDateTime,
    key_type,
    metadata,
    records,
    transaction,
)

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


Judged = tuple[Sequence[DecisionChange], int]
"""A subject's decisions, and the size of the ledger they were judged on."""


class FeedStore(Protocol):
    def note_decisions(self, decisions: Sequence[DecisionChange], *, ledger_size: int) -> bool:
        """Append each decision that differs from the last one recorded for its subject in
        its context (when there is none: the last answer a check gave there, else `allow`), as
        one step that concurrent writers cannot interleave. The decisions are about one
        subject, judged on its ledger when it held `ledger_size` records and entries; if it
        has grown since, nothing is appended and the answer is False: they are out of date."""

    def note_decisions_of(self, judged: Sequence[Judged]) -> set[str]:
        """`note_decisions` for several subjects, each with the size of the ledger it was
        judged on, in one transaction; returns the subjects whose ledger has grown since, for
        which nothing was appended."""

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

    def _connect(self, *, write: bool) -> AbstractContextManager[Connection]:
        return transaction(self.engine, write=write, what="ledger")

    def note_decisions(self, decisions: Sequence[DecisionChange], *, ledger_size: int) -> bool:
        return not self.note_decisions_of([(decisions, ledger_size)])

    def note_decisions_of(self, judged: Sequence[Judged]) -> set[str]:
        by_subject = {ds[0].subject_id: (ds, size) for ds, size in judged if ds}
        if not by_subject:
            return set()
        stale: set[str] = set()
        noted: list[dict[str, object]] = []
        with self._connect(write=True) as conn:
            for subject in sorted(by_subject):
                if conn.dialect.name == "postgresql":
                    # Two requests about one subject would both read the same last decision;
                    # this transaction-scoped lock makes the second wait for the first. Taken
                    # in subject order, so that two batches cannot wait on each other.
                    conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(subject))))
            sizes = ledger_sizes(conn, records.c.subject_id.in_(sorted(by_subject)))
            for subject, (decisions, size) in sorted(by_subject.items()):
                if sizes.get(subject, 0) != size:
                    stale.add(subject)
                    continue
                noted += [_note_values(d) for d in decisions]
            if noted:
                conn.execute(_NOTE_IF_CHANGED, noted)
        return stale

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


def _latest(table: Table) -> ScalarSelect[str]:
    """The latest decision `table` holds for the subject and context noted."""
    c = table.c
    return (
        select(c.decision)
        .where(c.subject_id == _NOTED["subject_id"], c.context == _NOTED["context"])
        .order_by(c.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


_NOTED: dict[str, BindParameter[Any]] = {
    "subject_id": bindparam("subject_id", type_=key_type()),
    "context": bindparam("context", type_=String()),
    "decision": bindparam("decision", type_=String()),
    "as_of": bindparam("as_of", type_=Date()),
    "recheck_on": bindparam("recheck_on", type_=Date()),
    "at": bindparam("at", type_=UtcDateTime()),
}
_NOTE_IF_CHANGED = decision_changes.insert().from_select(
    list(_NOTED),
    select(*_NOTED.values()).where(
        # Against the last decision noted, else the last answer a check gave, else `allow`.
        func.coalesce(_latest(decision_changes), _latest(checks_log), "allow") != _NOTED["decision"]
    ),
)
"""A decision appended where it differs from the last one consumers were told, built once
and sent for many decisions at a time."""


def _note_values(d: DecisionChange) -> dict[str, object]:
    return {
        "subject_id": d.subject_id,
        "context": d.context,
        "decision": d.decision,
        "as_of": d.as_of,
        "recheck_on": d.recheck_on,
        "at": d.at,
    }


class MemoryFeeds:
    def __init__(self, access: AccessStore, ledger_size: Callable[[str], int]) -> None:
        self._access = access
        self._ledger_size = ledger_size
        self._lock = threading.Lock()
        self._changes: list[DecisionChange] = []
        self._cursors: dict[str, Cursor] = {}
        self._seq = itertools.count(1)

    def note_decisions(self, decisions: Sequence[DecisionChange], *, ledger_size: int) -> bool:
        return not self.note_decisions_of([(decisions, ledger_size)])

    def note_decisions_of(self, judged: Sequence[Judged]) -> set[str]:
        stale: set[str] = set()
        with self._lock:
            for decisions, ledger_size in judged:
                if decisions and self._ledger_size(decisions[0].subject_id) != ledger_size:
                    stale.add(decisions[0].subject_id)
                    continue
                for d in decisions:
                    mine = [
                        ch.decision
                        for ch in self._changes
                        if (ch.subject_id, ch.context) == (d.subject_id, d.context)
                    ]
                    if (mine[-1] if mine else self._told(d)) != d.decision:
                        self._changes.append(replace(d, seq=next(self._seq)))
        return stale

    def _told(self, d: DecisionChange) -> str:
        """The decision consumers were last told about the subject in that context."""
        logged = self._access.checks_about(d.subject_id, limit=1_000_000)
        return next((c.decision for c in logged if c.context == d.context), "allow")

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
