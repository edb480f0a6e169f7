"""Read-only figures the portal shows that no use case needed before: the population's tiers
and list sizes (from the stored scores), a provider's latest records, and counts of the
ledger's entries by kind."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Protocol

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from credo.adapters.stores.feeds import Cursor, outbox_cursors
from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.tables import entries, records, scores


class PortalQueries(Protocol):
    """Implementations: `SqlPortalQueries` and `MemoryPortalQueries` (a scan)."""

    def tier_counts(self) -> dict[tuple[str, str], int]:
        """Subjects by (pack, tier), from the stored scores."""

    def list_counts(self, today: date) -> dict[tuple[str, str], int]:
        """Subjects on each list today by (pack, list), from the stored scores."""

    def recent_record_ids(self, source: str, *, limit: int) -> list[str]:
        """A provider's records, the latest recorded first."""

    def entry_counts(self) -> dict[str, int]:
        """Ledger entries by kind, and `record` for the records."""

    def cursors(self) -> list[Cursor]:
        """Every notifier channel's position in the notice outbox."""

    def recorded_at(self, subject_id: str) -> dict[str, datetime]:
        """When each of a subject's records was recorded, by record id."""

    def notices_after(self, seq: int) -> int:
        """How many notices the outbox holds after `seq`: those a channel has yet to deliver."""


class SqlPortalQueries:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def tier_counts(self) -> dict[tuple[str, str], int]:
        query = select(scores.c.pack_id, scores.c.tier, func.count()).group_by(
            scores.c.pack_id, scores.c.tier
        )
        with self.engine.connect() as conn:
            return {(p, t): int(n) for p, t, n in conn.execute(query)}

    def list_counts(self, today: date) -> dict[tuple[str, str], int]:
        found: Counter[tuple[str, str]] = Counter()
        day = today.isoformat()
        query = select(scores.c.pack_id, scores.c.lists).where(scores.c.lists != "[]")
        with self.engine.connect() as conn:
            for pack_id, marks in conn.execute(query):
                # The column as `sql.scores` writes it: [list, record, since, until] per mark.
                on = {m[0] for m in orjson.loads(marks) if m[2] <= day < m[3]}
                for list_id in on:
                    found[(pack_id, list_id)] += 1
        return dict(found)

    def recent_record_ids(self, source: str, *, limit: int) -> list[str]:
        query = (
            select(records.c.record_id)
            .where(records.c.source == source)
            .order_by(records.c.seq.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [str(r) for r in conn.execute(query).scalars()]

    def entry_counts(self) -> dict[str, int]:
        query = select(entries.c.kind, func.count()).group_by(entries.c.kind)
        with self.engine.connect() as conn:
            found = {str(k): int(n) for k, n in conn.execute(query)}
            total = conn.execute(select(func.count()).select_from(records)).scalar()
            found["record"] = int(total or 0)
        return found

    def recorded_at(self, subject_id: str) -> dict[str, datetime]:
        query = select(records.c.record_id, records.c.recorded_at).where(
            records.c.subject_id == subject_id
        )
        with self.engine.connect() as conn:
            return {str(r): at for r, at in conn.execute(query)}

    def cursors(self) -> list[Cursor]:
        query = select(outbox_cursors).order_by(outbox_cursors.c.channel)
        with self.engine.connect() as conn:
            return [Cursor(r.channel, r.delivered_seq, r.at, r.error) for r in conn.execute(query)]

    def notices_after(self, seq: int) -> int:
        query = (
            select(func.count())
            .select_from(entries)
            .where(entries.c.kind == "notice", entries.c.seq > seq)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)


class MemoryPortalQueries:
    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    def _scores(self, today: date | None = None) -> list[tuple[str, str, set[str]]]:
        subjects = {lr.record.subject.id for b in self.store.iter_records() for lr in b}
        found = []
        for subject_id in sorted(subjects):
            s = self.store.stored_score(subject_id)
            if s is not None:
                on = {m.list_id for m in s.lists if today is None or m.since <= today < m.until}
                found.append((s.pack_id, s.tier, on))
        return found

    def tier_counts(self) -> dict[tuple[str, str], int]:
        return dict(Counter((p, t) for p, t, _ in self._scores()))

    def list_counts(self, today: date) -> dict[tuple[str, str], int]:
        return dict(Counter((p, lst) for p, _, lists in self._scores(today) for lst in lists))

    def recent_record_ids(self, source: str, *, limit: int) -> list[str]:
        mine = [lr for b in self.store.iter_records() for lr in b if lr.record.source == source]
        return [lr.record.record_id for lr in reversed(mine)][:limit]

    def entry_counts(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for batch in self.store.iter_records():
            for lr in batch:
                found["record"] += 1
                for e in self.store.entries_of(lr.record.record_id):
                    found[e.kind] += 1
        return dict(found)

    def recorded_at(self, subject_id: str) -> dict[str, datetime]:
        found = {}
        for lr in self.store.records_of(subject_id):
            at = self.store.recorded_at(lr.record.record_id)
            if at is not None:
                found[lr.record.record_id] = at
        return found

    def cursors(self) -> list[Cursor]:
        return []  # a memory ledger's notices are delivered by no notifier that keeps a position

    def notices_after(self, seq: int) -> int:
        return len(self.store.entries_of_kind(["notice"], after=seq))
