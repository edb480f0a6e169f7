"""Who is on a published list: read from the materialised scores, which carry each subject's
list entries, so a page is an index walk rather than a scoring of the population."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import orjson
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from credo.adapters.stores.protocol import LedgerStore, ListMark, StoredScore
from credo.adapters.stores.sql.tables import scores, subjects
from credo.domain.errors import StoreUnavailable


@dataclass(frozen=True, slots=True)
class Listed:
    """A subject whose materialised score holds marks of the list asked for."""

    subject_id: str
    region: str
    marks: tuple[ListMark, ...]


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A page of a list's subjects: of `kind`, scored under one of `pack_ids`, holding a mark of
    `list_id` in their stored score, in id order after `after`, whose id contains `query`
    (ignoring case), at most `limit` of them."""

    list_id: str
    pack_ids: Sequence[str]
    kind: str
    query: str | None
    after: str | None
    limit: int


class ListingStore(Protocol):
    def listed(self, q: ListQuery) -> list[Listed]:
        """The subjects `q` asks for. Whether each mark is open on a date is for the caller to
        judge."""


def _marks(text: str) -> list[ListMark]:
    """The `lists` column as `sql.scores` writes it."""
    return [
        ListMark(list_id, record_id, date.fromisoformat(since), date.fromisoformat(until))
        for list_id, record_id, since, until in orjson.loads(text)
    ]


def _contains(haystack: str, needle: str | None) -> bool:
    return needle is None or needle.lower() in haystack.lower()


class SqlListings:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def listed(self, q: ListQuery) -> list[Listed]:
        # The stored `lists` column is JSON of [list_id, record_id, since, until] arrays: a
        # list id appears as `["id",` only at the start of one of them.
        stmt = (
            select(scores.c.subject_id, subjects.c.region, scores.c.lists)
            .join_from(scores, subjects, scores.c.subject_id == subjects.c.id)
            .where(
                subjects.c.kind == q.kind,
                scores.c.pack_id.in_(list(q.pack_ids)),
                scores.c.lists.contains(f'["{q.list_id}",', autoescape=True),
            )
            .order_by(scores.c.subject_id)
            .limit(q.limit)
        )
        if q.query:
            stmt = stmt.where(
                func.lower(scores.c.subject_id).contains(q.query.lower(), autoescape=True)
            )
        if q.after is not None:
            stmt = stmt.where(scores.c.subject_id > q.after)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(stmt).all()
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as e:
            raise StoreUnavailable("the ledger database is unavailable") from e
        out = []
        for subject_id, region, lists in rows:
            marks = tuple(m for m in _marks(lists) if m.list_id == q.list_id)
            out.append(Listed(subject_id, region, marks))
        return out


class MemoryListings:
    """Over a memory ledger: a scan, fine for the sizes memory holds."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    def listed(self, q: ListQuery) -> list[Listed]:
        out: list[Listed] = []
        for stored, region in self._scores(q.kind):
            if len(out) >= q.limit:
                break
            if stored.pack_id not in q.pack_ids or not _contains(stored.subject_id, q.query):
                continue
            if q.after is not None and stored.subject_id <= q.after:
                continue
            marks = tuple(m for m in stored.lists if m.list_id == q.list_id)
            if marks:
                out.append(Listed(stored.subject_id, region, marks))
        return out

    def _scores(self, kind: str) -> Iterator[tuple[StoredScore, str]]:
        seen: dict[str, str] = {}
        for batch in self.store.iter_records():
            for lr in batch:
                if lr.record.subject.kind == kind:
                    seen[lr.record.subject.id] = lr.record.subject.region
        for subject_id in sorted(seen):
            stored = self.store.stored_score(subject_id)
            if stored is not None:
                yield stored, seen[subject_id]
