"""The ledger's tables, shared by the SQLite and PostgreSQL stores (how records and entries become
rows and back is in `rows`).

The schema itself is created by the migrations in `adapters/stores/migrations/`; these definitions
are what the queries are written against, and a contract test checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from credo.domain.errors import StoreUnavailable


class UtcDateTime(TypeDecorator[datetime]):
    """An instant, always returned in UTC. A naive value is taken to be UTC already.

    SQLite has no timestamp type, so there it is ISO text of fixed width, which sorts in time
    order; PostgreSQL keeps a `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return utc_text(value)
        return as_utc(value)

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return as_utc(value)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utc_text(value: datetime) -> str:
    return as_utc(value).isoformat(timespec="microseconds")


def key_type() -> TypeEngine[str]:
    """Ids and keys compare byte by byte on every engine (PostgreSQL's "C" collation), so
    subjects come out in the same order everywhere and the indexes stay cheap."""
    return String().with_variant(String(collation="C"), "postgresql")


SEQ = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: an alias of the rowid
DATA = JSON().with_variant(JSONB(), "postgresql")

metadata = MetaData()

packs = Table(
    "packs",
    metadata,
    Column("pack_id", key_type(), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("checksum", String(), nullable=False),
    Column("source", Text, nullable=False),
    Column("adopted_at", UtcDateTime, nullable=False),
    Column("adopted_by", String()),  # the actor; NULL for packs adopted before it was kept
)

subjects = Table(
    "subjects",
    metadata,
    Column("id", key_type(), primary_key=True),
    Column("kind", String(), nullable=False),
    Column("region", String(), nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("seq", SEQ, Identity(), primary_key=True),
    Column("record_id", key_type(), nullable=False),
    Column("source", key_type(), nullable=False),
    Column("source_ref", key_type(), nullable=False),
    # No foreign key to `subjects`: the statement that creates a record creates its subject,
    # and neither is ever deleted; a per-row check would cost bulk ingest a fifth of its speed.
    Column("subject_id", key_type(), nullable=False),
    Column("type", String(), nullable=False),
    Column("occurred_at", Date, nullable=False),
    Column("attributes", Text, nullable=False),
    Column("evidence_uri", Text),
    Column("evidence_sha256", String()),
    Column("case_ref", String()),
    Column("fingerprint", String(), nullable=False),
    # Where the subject was when the act occurred (SPEC §1: subjects move). NULL in records
    # kept before regions were recorded per record: there, the subject's first region.
    Column("region", String()),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("record_id", name="uq_records_record_id"),
    UniqueConstraint("source", "source_ref", name="uq_records_source_ref"),
    # Leading with the subject makes `records_of` and the subject-ordered scan index walks;
    # SQLite appends the rowid (seq) to every index, so ties come out in arrival order.
    Index("ix_records_subject", "subject_id", "occurred_at"),
)

entries = Table(
    "entries",
    metadata,
    Column("seq", SEQ, Identity(), primary_key=True),
    Column("kind", String(), nullable=False),
    Column("record_id", key_type(), ForeignKey("records.record_id"), nullable=False),
    Column("actor", String(), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("data", DATA, nullable=False),
    Index("ix_entries_record", "record_id"),
    # The objection queue and the notice outbox read entries by kind, in order.
    Index("ix_entries_kind", "kind", "seq"),
)


single_use_steps = Table(
    "single_use_steps",
    metadata,
    # `single_use_step(entry)`: its primary key is what makes a second withdrawal, filing or
    # decision fail in the transaction that tries it, however many requests race.
    Column("step", key_type(), primary_key=True),
    Column("seq", SEQ, ForeignKey("entries.seq"), nullable=False),
)


admin_entries = Table(
    "admin_entries",
    metadata,
    # An administrator's act (`domain.entries.AdminEntry`): keys made and revoked, sign-in
    # links, signing key rotations. Written in the transaction of the act itself.
    Column("seq", SEQ, Identity(), primary_key=True),
    Column("kind", String(), nullable=False),
    Column("actor", String(), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("subject_id", key_type()),  # whose key, when a subject's: they read it
    Column("data", DATA, nullable=False),
    Index("ix_admin_entries_subject", "subject_id", "seq"),
)


# -- the audit log (SPEC §9): a Merkle tree over every entry above, in ledger order -------------

audit_leaves = Table(
    "audit_leaves",
    metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),  # from 0
    Column("kind", String(), nullable=False),  # pack, record, entry or admin
    Column("ref", key_type(), nullable=False),  # id@version, record id, entry or admin seq
    Column("leaf_hash", LargeBinary(), nullable=False),
    UniqueConstraint("kind", "ref", name="uq_audit_leaves_ref"),
)

audit_nodes = Table(
    "audit_nodes",
    metadata,
    # The roots of the perfect subtrees on every STRIDE-th level above the leaves (subtrees of
    # 16, 256, 4,096… leaves at aligned positions, `merkle.stored_rows`): a proof folds each of
    # its hashes from at most 8 of these or of the leaves, never reading the whole log.
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(), nullable=False),
)

tree_heads = Table(
    "tree_heads",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(), nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("key_id", String(), nullable=False),
    Column("signature", LargeBinary(), nullable=False),
    # The right edge of the tree at this size (merkle.Frontier): what the next batch grows
    # the tree from. Not signed; `credo audit verify` rebuilds the tree from the leaves.
    Column("frontier", LargeBinary(), nullable=False),
)


class objection_of(FunctionElement[str]):  # noqa: N801 (used as a SQL function)
    """The objection an objection or decision entry names, spelt as the index on it in
    migration 0004 is (JSON text on SQLite, JSONB on PostgreSQL), so the review queue's
    search for decisions uses that index."""

    type = String()
    inherit_cache = True


@compiles(objection_of, "sqlite")
def _objection_of_sqlite(element: objection_of, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$.objection_id')"


@compiles(objection_of, "postgresql")
def _objection_of_postgresql(element: objection_of, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} ->> 'objection_id')"


# -- materialised scores: derived from the ledger, replaced by each recompute ---------------------

score_runs = Table(
    "score_runs",
    metadata,
    Column("run_id", SEQ, Identity(), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("engine", String(), nullable=False),
    Column("versions", Text, nullable=False),  # JSON: pack → [version, checksum]
    Column("subjects", BigInteger, nullable=False),
    Column("records", BigInteger, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
)

scores = Table(
    "scores",
    metadata,
    Column("subject_id", key_type(), primary_key=True),
    Column("pack_id", key_type(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("checksum", String(), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("score", Integer, nullable=False),
    Column("tier", String(), nullable=False),
    Column("lists", Text, nullable=False),  # JSON: [{list, record_id, since, until}]
    Column("valid_until", Date),  # the first later day the score may change by time alone
    Column("run_id", SEQ),
    Column("computed_at", UtcDateTime, nullable=False),
    Column("ledger_size", BigInteger),  # NULL from a recompute: any real-time score replaces it
)


# -- the judged ledger: each record's verdict (`domain.scoring.verdicts`), derived from the ledger
# and the rulebook, kept with its record and its status ------------------------------------------

verdicts = Table(
    "verdicts",
    metadata,
    # The record's own number: verdicts go in in the order records do, at the end of the table,
    # where a key of record ids would put each at a random place in an index (a fifth of a
    # bulk load's time on SQLite).
    # The rest of a verdict (record id, subject, region, kind, occurrence, case) is the
    # record's own, read beside it.
    Column("seq", SEQ, primary_key=True, autoincrement=False),
    Column("pack", key_type()),
    Column("rule", Integer),
    Column("expires_on", Date),
    Column("points", BigInteger, nullable=False),
    Column("later", Text),  # JSON: [[version index, points]] where a later version is milder
    Column("lists", Text),  # JSON: {"admits": [[list, days, repair key]], "repairs": [keys]}
    Column("withdrawn", Boolean, nullable=False),
    Column("overturned", Boolean, nullable=False),
    Column("disputed", Boolean, nullable=False),
)

# One row: the rulebook every verdict was judged by (`verdicts.rulebook_key`); none, or NULL,
# when that is not known and the next recompute must judge the ledger again.
verdicts_state = Table(
    "verdicts_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("rulebook_key", String()),
)


@contextmanager
def transaction(engine: Engine, *, write: bool, what: str) -> Iterator[Connection]:
    """One transaction on `engine`, marked as a write where it is one (the SQLite engine takes its
    write lock for those), with the driver's connection errors as `StoreUnavailable`."""
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(credo_write=True)
            with conn.begin():
                yield conn
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as e:
        raise StoreUnavailable(f"the {what} database is unavailable: {e.orig or e}") from e


# Proposed pack versions with their simulation reports (`credo pack propose`): public before
# they take effect, and marked when the version they propose is adopted.
proposals = Table(
    "proposals",
    metadata,
    Column("proposal_id", Integer, Identity(), primary_key=True),
    Column("pack_id", key_type(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("checksum", String(), nullable=False),
    Column("source", Text, nullable=False),
    Column("report", Text, nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("adopted_at", UtcDateTime),
    Index("ix_proposals_version", "pack_id", "version"),
)
