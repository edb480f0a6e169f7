"""Stored rows back as the domain's objects, in plain Python: what the stores on SQLAlchemy and
the reads on `sqlite3` alone (`sqlite_reads`) share. A value comes as SQLAlchemy or the driver
gives it: a date as a date or as ISO text, an attribute map as its JSON text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import orjson

from credo.adapters.stores.protocol import ListMark, StoredScore
from credo.domain.ledger.records import ACTIVE, Evidence, LedgerRecord, Record, RecordStatus
from credo.domain.ledger.subjects import Subject


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def ledger_records(
    rows: Sequence[Sequence[Any]], statuses: dict[str, RecordStatus]
) -> list[LedgerRecord]:
    """Rows of `rows.RECORD_READ` (seq, record id, source, source ref, subject id, kind,
    region, type, occurred_at, attributes, evidence uri and hash, case) as records, each with
    its status (active when it has none)."""
    out = []
    for row in rows:
        (_, rid, source, ref, sid, kind, region, type_, occurred, attrs, uri, sha, case) = row
        record = Record(
            subject=Subject(sid, kind, region),
            type=type_,
            occurred_at=as_date(occurred),
            source=source,
            source_ref=ref,
            attributes=orjson.loads(attrs),
            evidence=Evidence(uri, sha) if uri is not None else None,
            case_ref=case,
        )
        out.append(LedgerRecord(record, statuses.get(rid, ACTIVE)))
    return out


def stored_score(row: Sequence[Any]) -> StoredScore:
    """A row of `scores`, in its columns' order, with its instant already read as a datetime."""
    (sid, pack, version, checksum, as_of, score, tier, lists, until, run, at, size) = row
    marks = tuple(
        ListMark(list_id, r, date.fromisoformat(a), date.fromisoformat(b))
        for list_id, r, a, b in orjson.loads(lists)
    )
    valid_until = as_date(until) if until is not None else None
    return StoredScore(
        sid, pack, version, checksum, as_date(as_of), score, tier, marks, valid_until, at, run, size
    )
