"""The ledger on SQLAlchemy Core: everything the SQLite and PostgreSQL stores share.

A dialect supplies how a batch of rows goes in (`_insert_rows`) and how a conflict-ignoring
insert is spelt (`base.SqlBase`); the rest is written once: the schema, packs and records here,
with the audit log's reads and administrators' acts; entries in `entries`, scores in `scores`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, inspect, select, text
from sqlalchemy.engine import Connection

from credo.adapters.stores.migrations import head_revision
from credo.adapters.stores.protocol import Judged, Ledger, Outcome, StoredPack
from credo.adapters.stores.sql import audit as audit_sql
from credo.adapters.stores.sql import shares
from credo.adapters.stores.sql.decoded import ledger_records
from credo.adapters.stores.sql.entries import SqlEntries, entry_leaves, entry_values
from credo.adapters.stores.sql.rows import (
    RECORD_READ,
    AnyRow,
    RecordRow,
    ledger_sizes,
    record_row,
    statuses,
)
from credo.adapters.stores.sql.scores import SqlScores
from credo.adapters.stores.sql.tables import (
    packs,
    records,
    subjects,
)
from credo.domain.audit.leaves import (
    Held,
    Leaf,
    LeafKind,
    Logged,
    Run,
    hash_of,
    pack_json,
    pack_ref,
    record_json,
    runs_of,
)
from credo.domain.audit.merkle import Hash, Node
from credo.domain.audit.tree_heads import TreeHead
from credo.domain.errors import PackConflict
from credo.domain.ledger.entries import (
    AdminEntry,
    Entry,
)
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.ledger.subjects import Subject

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = "credo.adapters.stores:migrations"
_ATTEMPTS = 3

_ORDER = (records.c.subject_id, records.c.occurred_at, records.c.seq)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


class SqlLedgerStore(SqlEntries, SqlScores):
    """A `LedgerStore` on one SQLAlchemy engine. Append-only: no statement here updates or
    deletes a row of `packs`, `records` or `entries`."""

    # -- schema ---------------------------------------------------------------------------

    def migrate(self) -> None:
        with self._errors(), self._read() as conn:
            # At the head with a log, nothing is left to do; a log emptied since is filled
            # below, as for a ledger older than the log.
            if self._at_head(conn) and not audit_sql.log_is_empty(conn):
                return
        from alembic import command

        with self._errors(), self._write() as conn:
            self._prepare_migration(conn)
            command.upgrade(alembic_config(conn), "head")
            self._lock_log(conn)
            if audit_sql.log_is_empty(conn):
                # A ledger kept before the log: every row it holds becomes a leaf, once.
                held = [(kind, ref, h) for kind, ref, h, _ in audit_sql.contents(conn)]
                if held:
                    self._grow(conn, held)

    def _at_head(self, conn: Connection) -> bool:
        """The newest migration has been applied, known without Alembic."""
        if not inspect(conn).has_table("alembic_version"):
            return False
        held = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return set(held) == {head_revision()}

    def schema_is_current(self) -> bool:
        """True when every migration has been applied: what a readiness check asks. Raises
        `StoreUnavailable` when the database cannot be reached."""
        with self._errors(), self._read() as conn:
            return self._at_head(conn)

    def close(self) -> None:
        self.engine.dispose()

    # -- packs ----------------------------------------------------------------------------

    def adopt_pack(self, pack: StoredPack) -> bool:
        key = (packs.c.pack_id == pack.pack_id) & (packs.c.version == pack.version)
        with self._errors(), self._append_tx() as conn:
            values = {
                "pack_id": pack.pack_id,
                "version": pack.version,
                "effective_from": pack.effective_from,
                "checksum": pack.checksum,
                "source": pack.source,
                "adopted_at": pack.adopted_at,
                "adopted_by": pack.adopted_by,
            }
            insert = self._insert_ignoring_conflicts(packs).values(values)
            if conn.execute(insert.returning(packs.c.version)).first() is not None:
                leaf = hash_of(pack_json(pack))
                self._grow(conn, [("pack", pack_ref(pack.pack_id, pack.version), leaf)])
                return True
            held = conn.execute(select(packs.c.checksum).where(key)).scalar_one()
        if held == pack.checksum:
            return False
        raise PackConflict(
            f"pack {pack.pack_id} version {pack.version} is already adopted with other content "
            f"(checksum {held}); an adopted version is never changed: publish a new version"
        )

    def packs(self) -> list[StoredPack]:
        with self._errors(), self._read() as conn:
            rows = conn.execute(select(packs).order_by(packs.c.pack_id, packs.c.version))
            return [StoredPack(*row) for row in rows]

    # -- records --------------------------------------------------------------------------

    def append_records(
        self,
        records: Sequence[Record],
        *,
        recorded_at: datetime,
        notices: Sequence[Entry] = (),
        judged: Judged | None = None,
    ) -> list[Outcome]:
        fingerprints = [r.fingerprint() for r in records]
        first: dict[str, int] = {}
        rows: list[RecordRow] = []
        leaves: dict[str, Hash] = {}
        for i, r in enumerate(records):
            if r.record_id not in first:
                first[r.record_id] = i
                rows.append(record_row(r, fingerprints[i]))
                leaves[r.record_id] = hash_of(record_json(r, recorded_at))
        if not rows:
            return []
        with self._errors():
            created, held = self._append(rows, recorded_at, notices, leaves, judged)
        outcomes = []
        for i, r in enumerate(records):
            if r.record_id in created and first[r.record_id] == i:
                outcomes.append(Outcome.CREATED)
            elif held.get(r.record_id, fingerprints[first[r.record_id]]) == fingerprints[i]:
                outcomes.append(Outcome.PRESENT)
            else:
                outcomes.append(Outcome.CONFLICT)
        return outcomes

    def _append(
        self,
        rows: list[RecordRow],
        at: datetime,
        notices: Sequence[Entry],
        leaves: dict[str, Hash],
        judged: Judged | None,
    ) -> tuple[dict[str, int], dict[str, str]]:
        """One transaction: insert, add the verdicts and notices of the records created and the
        leaves of both (records in id order, then notices), sign the head, then read back what
        the keys not inserted hold."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._append_tx() as conn:
                    created = self._insert_rows(conn, rows, at)
                    if created:
                        self._keep_verdicts(conn, created, judged)
                    owed = [n for n in notices if n.record_id in created]
                    seqs = self._insert_entries(conn, [entry_values(n) for n in owed])
                    grown: list[audit_sql.Grown] = [
                        ("record", rid, leaves[rid]) for rid in sorted(created)
                    ]
                    grown += entry_leaves(owed, seqs)
                    self._grow(conn, grown)
                    self._forget(conn, {row[3] for row in rows if row[0] in created})
                    return created, self._held_otherwise(conn, rows, created)
            except Exception as e:
                if attempt == _ATTEMPTS or not self._is_transient(e):
                    raise
        raise AssertionError("unreachable")

    def subjects(self, ids: Iterable[str]) -> dict[str, Subject]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        query = select(subjects.c.id, subjects.c.kind, subjects.c.region).where(
            self._one_of(subjects.c.id, wanted)
        )
        with self._errors(), self._read() as conn:
            return {sid: Subject(sid, kind, region) for sid, kind, region in conn.execute(query)}

    def records_of(self, subject_id: str) -> list[LedgerRecord]:
        where = records.c.subject_id == subject_id
        with self._errors(), self._read() as conn:
            return self._ledger(conn, RECORD_READ.where(where).order_by(*_ORDER), where)

    def ledgers_of(self, subject_ids: Collection[str]) -> dict[str, Ledger]:
        wanted = sorted(set(subject_ids))
        if not wanted:
            return {}
        where = self._one_of(records.c.subject_id, wanted)
        with self._errors(), self._read(**self.snapshot) as conn:
            sizes = ledger_sizes(conn, where)
            held = self._ledger(conn, RECORD_READ.where(where).order_by(*_ORDER), where)
        found: dict[str, Ledger] = {s: (size, []) for s, size in sizes.items()}
        for lr in held:
            found[lr.record.subject.id][1].append(lr)
        return found

    def record(self, record_id: str) -> LedgerRecord | None:
        where = records.c.record_id == record_id
        with self._errors(), self._read() as conn:
            found = self._ledger(conn, RECORD_READ.where(where), where)
        return found[0] if found else None

    def count_records(self) -> int:
        with self._errors(), self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(records)).scalar_one())

    def iter_records(self, batch_size: int = 10_000) -> Iterator[list[LedgerRecord]]:
        """Keyset pages over the subject index, all inside one snapshot. A page that ends
        inside a subject gives that subject back to the next page; a subject larger than a
        page is read whole."""
        size = max(batch_size, 1)
        with self._errors(), self._read(**self.snapshot) as conn:
            after: str | None = None
            while True:
                page = RECORD_READ.order_by(*_ORDER).limit(size)
                if after is not None:
                    page = page.where(records.c.subject_id > after)
                rows: Sequence[AnyRow] = conn.execute(page).all()
                if not rows:
                    return
                full = len(rows) == size
                if full:
                    rows = self._whole_subjects(conn, rows)
                lo, hi = rows[0].subject_id, rows[-1].subject_id
                within = (records.c.subject_id >= lo) & (records.c.subject_id <= hi)
                yield ledger_records(rows, statuses(conn, within))
                if not full:
                    return
                after = hi

    def _whole_subjects(self, conn: Connection, rows: Sequence[AnyRow]) -> Sequence[AnyRow]:
        """Drop the last subject of a full page, which may go on; unless it is all there is."""
        last = rows[-1].subject_id
        whole = [row for row in rows if row.subject_id != last]
        if whole:
            return whole
        where = records.c.subject_id == last
        return conn.execute(RECORD_READ.where(where).order_by(*_ORDER)).all()

    def _ledger(
        self, conn: Connection, query: Select[Any], where: ColumnElement[bool]
    ) -> list[LedgerRecord]:
        rows = conn.execute(query).all()
        if not rows:
            return []
        return ledger_records(rows, statuses(conn, where))

    # -- the audit log ----------------------------------------------------------------------

    def signed_head(self, tree_size: int | None = None) -> TreeHead | None:
        with self._errors(), self._read() as conn:
            return audit_sql.head_at(conn, tree_size)

    def signed_heads(self) -> list[TreeHead]:
        with self._errors(), self._read() as conn:
            return audit_sql.all_heads(conn)

    def subtrees(self, nodes: Collection[Node]) -> dict[Node, Hash]:
        with self._errors(), self._read() as conn:
            return audit_sql.subtrees(conn, nodes)

    def leaves(self, after: int = 0, limit: int | None = None) -> list[Leaf]:
        with self._errors(), self._read() as conn:
            return audit_sql.leaf_rows(conn, after, limit)

    def leaf_columns(self) -> Logged:
        with self._errors(), self._read() as conn:
            return audit_sql.leaf_columns(conn)

    def leaf_indexes(self, kind: LeafKind, refs: Collection[str]) -> dict[str, int]:
        with self._errors(), self._read() as conn:
            return audit_sql.leaf_indexes(conn, kind, refs)

    def audit_contents(self) -> Iterator[Held]:
        with self._errors(), self._read(**self.snapshot) as conn:
            yield from audit_sql.contents(conn)

    def audit_runs(
        self, processes: int | None = None, meanwhile: Callable[[], None] = lambda: None
    ) -> dict[str, Run]:
        with self._errors(), self._read(**self.snapshot) as conn:
            # Packs and admin entries are few: read here, the rest in shares.
            runs = runs_of(chain(audit_sql.held_packs(conn), audit_sql.held_admin(conn)))
            tasks: list[shares.Task] = [
                (kind, span)
                for kind in ("record", "entry")
                for span in audit_sql.seq_spans(conn, kind, shares.SHARE)
            ]
        rows = sum(hi - lo for _, (lo, hi) in tasks)
        with self._errors():
            hashed = shares.hashed(self, tasks, rows, processes, meanwhile)
        for (kind, _), run in zip(tasks, hashed, strict=True):
            runs[kind].extend(run)
        return runs

    def held_run(self, kind: LeafKind, span: audit_sql.Span) -> Run:
        """The records or entries numbered in `span`, hashed: a share of `audit_runs`."""
        with self._errors(), self._read(**self.snapshot) as conn:
            return audit_sql.held_run(conn, kind, span)

    # -- administrators' acts ---------------------------------------------------------------

    def audited(self, act: Callable[[Connection], Sequence[AdminEntry]]) -> list[AdminEntry]:
        """Run `act` in a transaction that appends to the ledger, then append the admin
        entries it returns, their leaves and a signed head in that same transaction: the act
        and its entry are committed together or not at all. What the companions on this
        database (keys, sign-in codes) write their acts through."""
        with self._errors(), self._append_tx() as conn:
            made = act(conn)
            grown = audit_sql.insert_admin(conn, made)
            self._grow(conn, grown)
            return [replace(e, seq=int(g[1])) for e, g in zip(made, grown, strict=True)]

    def append_admin(self, act: Callable[[], Sequence[AdminEntry]]) -> list[AdminEntry]:
        return self.audited(lambda conn: act())

    def admin_entries(
        self, *, subject_id: str | None = None, after: int = 0, limit: int | None = None
    ) -> list[AdminEntry]:
        with self._errors(), self._read() as conn:
            return audit_sql.admin_rows(conn, subject_id, after, limit)
