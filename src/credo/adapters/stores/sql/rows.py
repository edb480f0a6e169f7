"""How records and entries become rows and back, and the reads of a ledger's rows that the SQLite
and PostgreSQL stores share; the tables themselves are in `tables`."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.engine import Connection

from credo.adapters.stores.sql.tables import entries, records, subjects
from credo.domain.ledger.entries import STATUS_KINDS, AdminEntry, Entry, status_from
from credo.domain.ledger.records import Record, RecordStatus

# -- rows and the domain objects they hold ---------------------------------------------------------

RecordRow = tuple[Any, ...]
"""A record as inserted: the `records` columns up to `region`, then the subject's kind (needed
only when the subject is new)."""

ROW_WIDTH = 12
"""How many of a `RecordRow`'s values are `records` columns."""

AnyRow = Row[*tuple[Any, ...]]

RECORD_READ = select(
    records.c.seq,
    records.c.record_id,
    records.c.source,
    records.c.source_ref,
    records.c.subject_id,
    subjects.c.kind,
    func.coalesce(records.c.region, subjects.c.region).label("region"),
    records.c.type,
    records.c.occurred_at,
    records.c.attributes,
    records.c.evidence_uri,
    records.c.evidence_sha256,
    records.c.case_ref,
).join_from(records, subjects, records.c.subject_id == subjects.c.id)
"""A stored record with its subject, in the column order `ledger_records` reads."""


def record_row(record: Record, fingerprint: str) -> RecordRow:
    evidence = record.evidence
    return (
        record.record_id,
        record.source,
        record.source_ref,
        record.subject.id,
        record.type,
        record.occurred_at.isoformat(),
        orjson.dumps(dict(record.attributes)).decode(),
        evidence.uri if evidence else None,
        evidence.sha256 if evidence else None,
        record.case_ref,
        fingerprint,
        record.subject.region,
        record.subject.kind,
    )


def entry_from_row(row: AnyRow) -> Entry:
    return Entry(row.kind, row.record_id, row.actor, row.at, dict(row.data), row.seq)


def admin_from_row(row: AnyRow) -> AdminEntry:
    return AdminEntry(row.kind, row.actor, row.at, dict(row.data), row.seq)


def ledger_size_of(subject_id: str) -> Select[Any]:
    """How many records and entries a subject's ledger holds (see `LedgerStore.ledger_size`)."""
    mine = records.c.subject_id == subject_id
    counted = select(func.count()).select_from(records).where(mine).scalar_subquery()
    noted = (
        select(func.count())
        .select_from(entries.join(records, entries.c.record_id == records.c.record_id))
        .where(mine)
        .scalar_subquery()
    )
    return select(counted + noted)


def ledger_sizes(conn: Connection, where: ColumnElement[bool]) -> dict[str, int]:
    """`ledger_size_of` for each subject with records matching `where`, in two queries."""
    sid = records.c.subject_id
    counted = select(sid, func.count()).where(where).group_by(sid)
    noted = (
        select(sid, func.count())
        .join_from(entries, records, entries.c.record_id == records.c.record_id)
        .where(where)
        .group_by(sid)
    )
    sizes: dict[str, int] = dict(conn.execute(counted).all())
    for subject_id, n in conn.execute(noted):
        sizes[subject_id] += n
    return sizes


def driver_rows(conn: Connection, query: Select[Any]) -> list[Any]:
    """`query`'s rows as plain tuples, read straight from the driver's cursor in the
    connection's transaction: where every row of a large read is wanted (`audit verify`'s
    leaves, a batch's new record numbers), SQLAlchemy's result processing costs more than the
    read."""
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    args = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def statuses(conn: Connection, where: ColumnElement[bool]) -> dict[str, RecordStatus]:
    """The status of every record matching `where` (on `records`) that has entries, in one
    query."""
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
