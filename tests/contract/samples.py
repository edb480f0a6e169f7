"""Records, packs and entries for the store contract, built straight from the domain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from credo.adapters.stores.protocol import StoredPack
from credo.domain.ledger.entries import Entry, EntryKind
from credo.domain.ledger.records import Evidence, Record
from credo.domain.ledger.subjects import Subject, SubjectKind
from credo.domain.rules.fields import Scalar

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
EVIDENCE = Evidence("https://records.example/TP-1.pdf", "ab" * 32)


def subject(sid: str = "p-1", kind: SubjectKind = "person", region: str = "CN-SD-RC") -> Subject:
    return Subject(sid, kind, region)


def record(
    ref: str,
    *,
    who: Subject | str = "p-1",
    on: date = date(2026, 3, 1),
    source: str = "traffic-police",
    type_: str = "traffic.violation",
    evidence: Evidence | None = EVIDENCE,
    case_ref: str | None = None,
    **attributes: Scalar,
) -> Record:
    return Record(
        subject=subject(who) if isinstance(who, str) else who,
        type=type_,
        occurred_at=on,
        source=source,
        source_ref=ref,
        attributes=attributes or {"severity": 2},
        evidence=evidence,
        case_ref=case_ref,
    )


def pack(version: int = 1, checksum: str = "c" * 64, text: str = "pack: town\n") -> StoredPack:
    return StoredPack("town", version, date(2026, 1, version), checksum, text, NOW)


def entry(kind: EntryKind, rec: Record, minute: int, **data: Any) -> Entry:
    return Entry(kind, rec.record_id, "reviewer-1", NOW.replace(minute=minute), data)
