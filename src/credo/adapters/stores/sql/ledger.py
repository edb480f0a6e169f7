"""The ledger on SQLAlchemy Core: everything the SQLite and PostgreSQL stores share.

A dialect supplies how a batch of rows goes in (`_insert_rows`) and how a conflict-ignoring
insert is spelt; the rest (idempotency, status from entries, scans) is written once here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Select, delete, func, inspect, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert

from credo.adapters import signing
from credo.adapters.stores.migrations import head_revision
from credo.adapters.stores.protocol import Ledger, Outcome, StoredPack
from credo.adapters.stores.sql import audit as audit_sql
from credo.adapters.stores.sql.rows import (
    RECORD_READ,
    AnyRow,
    RecordRow,
    entry_from_row,
    ledger_records,
    ledger_size_of,
    ledger_sizes,
    record_row,
)
from credo.adapters.stores.sql.scores import SqlScores
from credo.adapters.stores.sql.tables import (
    entries,
    objection_of,
    packs,
    records,
    scores,
    single_use_steps,
    subjects,
)
from credo.domain.audit.leaves import (
    Held,
    Leaf,
    LeafKind,
    entry_json,
    hash_of,
    pack_json,
    pack_ref,
    record_json,
)
from credo.domain.audit.merkle import Hash, Node
from credo.domain.audit.tree_heads import HeadSigner, TreeHead
from credo.domain.errors import PackConflict, StoreUnavailable, UnknownRecord
from credo.domain.ledger.entries import (
    STATUS_KINDS,
    AdminEntry,
    Entry,
    StepTaken,
    after_withdrawal,
    left_open,
    single_use_step,
    status_from,
)
from credo.domain.ledger.records import LedgerRecord, Record, RecordStatus
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


class SqlLedgerStore(SqlScores):
    """A `LedgerStore` on one SQLAlchemy engine. Append-only: no statement here updates or
    deletes a row of `packs`, `records` or `entries`."""

    snapshot: ClassVar[dict[str, str]] = {}
    """Execution options giving one consistent snapshot across the queries of a scan."""

    def __init__(self, engine: Engine, signer: HeadSigner | None = None) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        # Without a signer of its own (a test's store), heads are signed by a key of its own.
        self.signer = signer or signing.generated()

    # -- what a dialect provides ----------------------------------------------------------

    def _insert_rows(self, conn: Connection, rows: list[RecordRow], at: datetime) -> set[str]:
        """Insert `rows` (distinct keys, in batch order) ignoring key conflicts, in record id
        order, then the subjects of the records created (as first seen in the batch); return
        the ids of the records created."""
        raise NotImplementedError

    def _held_otherwise(
        self, conn: Connection, rows: list[RecordRow], created: set[str]
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
        self, records: Sequence[Record], *, recorded_at: datetime, notices: Sequence[Entry] = ()
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
            created, held = self._append(rows, recorded_at, notices, leaves)
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
    ) -> tuple[set[str], dict[str, str]]:
        """One transaction: insert, add the notices of the records created and the leaves of
        both (records in id order, then notices), sign the head, then read back what the keys
        not inserted hold."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._append_tx() as conn:
                    created = self._insert_rows(conn, rows, at)
                    owed = [n for n in notices if n.record_id in created]
                    seqs = self._insert_entries(conn, [_entry_values(n) for n in owed])
                    grown: list[audit_sql.Grown] = [
                        ("record", rid, leaves[rid]) for rid in sorted(created)
                    ]
                    grown += _entry_leaves(owed, seqs)
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
                yield ledger_records(rows, self._statuses(conn, within))
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
        return ledger_records(rows, self._statuses(conn, where))

    def _statuses(self, conn: Connection, where: ColumnElement[bool]) -> dict[str, RecordStatus]:
        """The status of every record matching `where` that has entries, in one query."""
        query = (
            select(entries)
            .join_from(entries, records, entries.c.record_id == records.c.record_id)
            .where(where, entries.c.kind.in_(STATUS_KINDS))
            .order_by(entries.c.seq)
        )
        by_record: dict[str, list[Entry]] = {}
        for row in conn.execute(query):
            by_record.setdefault(row.record_id, []).append(entry_from_row(row))
        return {rid: status_from(found) for rid, found in by_record.items()}

    # -- entries --------------------------------------------------------------------------

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
        values = [_entry_values(e) for e in batch]
        ids = sorted({e.record_id for e in batch})
        subjects_of = select(records.c.subject_id).where(self._one_of(records.c.record_id, ids))
        steps = [single_use_step(e) for e in batch]
        try:
            with self._errors(), self._append_tx() as conn:
                if any(steps) or any(after_withdrawal(e) for e in batch):
                    self._serialise(conn, batch, ids)
                seqs = self._insert_entries(conn, values)
                self._take_steps(conn, steps, seqs)
                self._grow(conn, _entry_leaves(batch, seqs))
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

    def leaf_indexes(self, kind: LeafKind, refs: Collection[str]) -> dict[str, int]:
        with self._errors(), self._read() as conn:
            return audit_sql.leaf_indexes(conn, kind, refs)

    def audit_contents(self) -> Iterator[Held]:
        with self._errors(), self._read(**self.snapshot) as conn:
            yield from audit_sql.contents(conn)

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


def _entry_leaves(batch: Sequence[Entry], seqs: Sequence[int]) -> list[audit_sql.Grown]:
    return [("entry", str(seq), hash_of(entry_json(e))) for e, seq in zip(batch, seqs, strict=True)]


def _entry_values(e: Entry) -> dict[str, Any]:
    return {"kind": e.kind, "record_id": e.record_id, "actor": e.actor, "at": e.at, "data": e.data}
