"""Ledger entries on SQLAlchemy Core: withdrawals, objections, decisions, notices and
repairs, appended with the single-use steps they take and the leaves they add to the log, and
read back by record, by kind and as the open objections."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from credo.adapters.stores.sql import audit as audit_sql
from credo.adapters.stores.sql.rows import (
    entry_from_row,
    ledger_size_of,
)
from credo.adapters.stores.sql.tables import (
    entries,
    objection_of,
    records,
    scores,
    single_use_steps,
)
from credo.adapters.stores.sql.verdicts import SqlVerdicts
from credo.domain.audit.leaves import (
    entry_json,
    hash_of,
)
from credo.domain.errors import UnknownRecord
from credo.domain.ledger.entries import (
    Entry,
    StepTaken,
    after_withdrawal,
    left_open,
    single_use_step,
)


class SqlEntries(SqlVerdicts):
    def ledger_size(self, subject_id: str) -> int:
        with self._errors(), self._read() as conn:
            return int(conn.execute(ledger_size_of(subject_id)).scalar_one())

    def recorded_at(self, record_id: str) -> datetime | None:
        query = select(records.c.recorded_at).where(records.c.record_id == record_id)
        with self._errors(), self._read() as conn:
            found: datetime | None = conn.execute(query).scalar_one_or_none()
            return found

    def append_entry(self, entry: Entry) -> int:
        return self.append_entries([entry])[0]

    def append_entries(self, batch: Sequence[Entry]) -> list[int]:
        if not batch:
            return []
        values = [entry_values(e) for e in batch]
        ids = sorted({e.record_id for e in batch})
        subjects_of = select(records.c.subject_id).where(self._one_of(records.c.record_id, ids))
        steps = [single_use_step(e) for e in batch]
        try:
            with self._errors(), self._append_tx() as conn:
                if any(steps) or any(after_withdrawal(e) for e in batch):
                    self._serialise(conn, batch, ids)
                seqs = self._insert_entries(conn, values)
                self._take_steps(conn, steps, seqs)
                self._entries_changed(conn, batch)
                self._grow(conn, entry_leaves(batch, seqs))
                conn.execute(delete(scores).where(scores.c.subject_id.in_(subjects_of)))
                return seqs
        except sa_exc.IntegrityError as e:
            missing = ", ".join(repr(i) for i in ids)
            raise UnknownRecord(f"no record {missing} in the ledger") from e

    def _serialise(self, conn: Connection, batch: Sequence[Entry], ids: list[str]) -> None:
        """Lock the records (PostgreSQL: their rows, in key order, against each other's steps
        but not against the inserts that merely refer to them; SQLite: the write lock taken at
        BEGIN), then refuse a withdrawal that would leave an objection open, and an objection
        or decision on a record already withdrawn (SPEC §4.10)."""
        locked = (
            select(records.c.record_id)
            .where(self._one_of(records.c.record_id, ids))
            .order_by(records.c.record_id)
            .with_for_update(key_share=True)
        )
        found = set(conn.execute(locked).scalars())
        if missing := [i for i in ids if i not in found]:
            raise UnknownRecord(f"no record {', '.join(map(repr, missing))} in the ledger")
        closing = sorted({e.record_id for e in batch if e.kind == "withdrawal"})
        if closing:
            opened = conn.execute(
                self._open_objections().where(self._one_of(entries.c.record_id, closing))
            )
            if (step := left_open(batch, map(entry_from_row, opened))) is not None:
                raise StepTaken(step)
        later = sorted({e.record_id for e in batch if after_withdrawal(e)})
        if later:
            withdrawn = select(entries.c.record_id).where(
                entries.c.kind == "withdrawal", self._one_of(entries.c.record_id, later)
            )
            if (rid := conn.execute(withdrawn.limit(1)).scalar()) is not None:
                raise StepTaken(f"withdrawal {rid}")

    def _take_steps(self, conn: Connection, steps: list[str | None], seqs: list[int]) -> None:
        """Claim each single-use step the entries take; if another transaction holds one,
        raise `StepTaken`, and the transaction, entries and all, rolls back."""
        wanted = {s: q for s, q in zip(steps, seqs, strict=True) if s}
        if not wanted:
            return
        if len(wanted) < sum(1 for s in steps if s):
            raise StepTaken(next(s for s in steps if s and steps.count(s) > 1))
        rows = [{"step": s, "seq": q} for s, q in wanted.items()]
        insert = self._insert_ignoring_conflicts(single_use_steps)
        taken = set(conn.execute(insert.returning(single_use_steps.c.step), rows).scalars())
        if lost := [s for s in wanted if s not in taken]:
            raise StepTaken(lost[0])

    def _insert_entries(self, conn: Connection, values: list[dict[str, Any]]) -> list[int]:
        """Insert entries in order; their sequence numbers, in the same order."""
        if not values:
            return []
        insert = entries.insert().returning(entries.c.seq, sort_by_parameter_order=True)
        return [int(seq) for seq in conn.execute(insert, values).scalars()]

    def entries_of(self, record_id: str) -> list[Entry]:
        query = select(entries).where(entries.c.record_id == record_id).order_by(entries.c.seq)
        with self._errors(), self._read() as conn:
            return [entry_from_row(row) for row in conn.execute(query)]

    def entries_of_kind(
        self,
        kinds: Collection[str],
        *,
        subject_id: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[Entry]:
        query = select(entries).where(entries.c.kind.in_(sorted(kinds)), entries.c.seq > after)
        if subject_id is not None:
            query = query.join_from(
                entries, records, entries.c.record_id == records.c.record_id
            ).where(records.c.subject_id == subject_id)
        query = query.order_by(entries.c.seq).limit(limit)
        with self._errors(), self._read() as conn:
            return [entry_from_row(row) for row in conn.execute(query)]

    def open_objections(self) -> list[Entry]:
        query = self._open_objections().order_by(entries.c.seq)
        with self._errors(), self._read() as conn:
            return [entry_from_row(row) for row in conn.execute(query)]

    def _open_objections(self) -> Select[Any]:
        decision = entries.alias("decision")
        decided = (
            select(decision.c.seq)
            .where(
                decision.c.kind == "decision",
                objection_of(decision.c.data) == objection_of(entries.c.data),
            )
            .exists()
        )
        return select(entries).where(entries.c.kind == "objection", ~decided)


def entry_leaves(batch: Sequence[Entry], seqs: Sequence[int]) -> list[audit_sql.Grown]:
    return [("entry", str(seq), hash_of(entry_json(e))) for e, seq in zip(batch, seqs, strict=True)]


def entry_values(e: Entry) -> dict[str, Any]:
    return {"kind": e.kind, "record_id": e.record_id, "actor": e.actor, "at": e.at, "data": e.data}
