"""Golden cases: small ledgers with the explanations SPEC §4 gives them, worked out by hand.

One YAML file per case:

    name: what the case shows
    clause: "4.3"                       # the SPEC clause it pins down
    packs: [../packs/town-v1.yaml]      # paths relative to the case file ...
    pack_texts: ["pack: ..."]           # ... and/or whole pack files inline
    as_of: 2025-03-01
    records: [...]                      # SPEC §2 record objects
    entries: [{kind, source, source_ref, at, data}]   # withdrawals, objections, decisions
    expect: {<subject id>: {score, tier, contributions, excluded, lists, next_change, checks}}

Expectations name records by `source_ref`, which is unique within a case. Which keys an
expectation holds, and how they are compared, is `golden.compare`'s business; this module only
turns a file into a `Rulebook` and a ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from credo.domain.ledger.entries import Entry, status_from
from credo.domain.ledger.records import Evidence, LedgerRecord, Record, record_id_for
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import PackVersion, Rulebook

ROOT = Path(__file__).resolve().parents[2]
CASE_DIRS = (ROOT / "tests" / "golden" / "cases", *sorted((ROOT / "packs").glob("*/golden")))

# The pure reader, as the cases were written for: libyaml (ruamel.yaml.clib, which the stored
# packs are read with) refuses a plain scalar holding ": ", which some reasons here do.
_yaml = YAML(typ="safe", pure=True)


@dataclass(frozen=True)
class GoldenCase:
    path: Path
    name: str
    clause: str
    as_of: date
    packs: tuple[Pack, ...]
    records: tuple[Record, ...]
    entries: tuple[Entry, ...]
    expect: dict[str, dict[str, Any]]

    @property
    def id(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    def rulebook(self) -> Rulebook:
        return Rulebook(PackVersion(p) for p in self.packs)

    def subjects(self) -> dict[str, Subject]:
        return {r.subject.id: r.subject for r in self.records}

    def ledger(self) -> dict[str, list[LedgerRecord]]:
        """Each subject's records with the status their entries give them now (SPEC §4.7)."""
        by_record: dict[str, list[Entry]] = {}
        for e in self.entries:
            by_record.setdefault(e.record_id, []).append(e)
        out: dict[str, list[LedgerRecord]] = {}
        for r in self.records:
            status = status_from(by_record.get(r.record_id, ()))
            out.setdefault(r.subject.id, []).append(LedgerRecord(r, status))
        return out

    def source_refs(self) -> dict[str, str]:
        """record id -> source_ref, to show observations in the terms expectations use."""
        return {r.record_id: r.source_ref for r in self.records}


def case_files() -> list[Path]:
    return [p for d in CASE_DIRS for p in sorted(d.glob("*.yaml"))]


def iter_cases() -> Iterator[GoldenCase]:
    for path in case_files():
        yield load_case(path)


def load_case(path: Path) -> GoldenCase:
    doc = _yaml.load(path.read_text(encoding="utf-8"))
    packs = [load_pack(path.parent / p) for p in doc.get("packs", [])]
    packs += [Pack.model_validate(_yaml.load(text)) for text in doc.get("pack_texts", [])]
    records = tuple(_record(r) for r in doc.get("records", []))
    _check_unique_refs(path, records)
    ids = {r.source_ref: r.record_id for r in records}
    entries = tuple(_entry(e, ids, i) for i, e in enumerate(doc.get("entries", [])))
    return GoldenCase(
        path=path,
        name=str(doc["name"]),
        clause=str(doc["clause"]),
        as_of=_date(doc["as_of"]),
        packs=tuple(packs),
        records=records,
        entries=entries,
        expect={str(k): v for k, v in (doc.get("expect") or {}).items()},
    )


def raw_records(path: Path) -> list[dict[str, Any]]:
    """The records of a case file as written, before any parsing."""
    return list(_yaml.load(path.read_text(encoding="utf-8")).get("records", []))


def pack_texts(path: Path) -> list[str]:
    return [str(t) for t in _yaml.load(path.read_text(encoding="utf-8")).get("pack_texts", [])]


def load_pack(path: Path) -> Pack:
    return Pack.model_validate(_yaml.load(path.read_text(encoding="utf-8")))


def _record(doc: dict[str, Any]) -> Record:
    s = doc["subject"]
    evidence = doc.get("evidence")
    return Record(
        subject=Subject(id=s["id"], kind=s["kind"], region=s["region"]),
        type=doc["type"],
        occurred_at=_date(doc["occurred_at"]),
        source=doc["source"],
        source_ref=doc["source_ref"],
        attributes=dict(doc.get("attributes") or {}),
        evidence=Evidence(evidence["uri"], evidence["sha256"]) if evidence else None,
        case_ref=doc.get("case_ref"),
    )


def _entry(doc: dict[str, Any], ids: dict[str, str], seq: int) -> Entry:
    ref = doc["source_ref"]
    record_id = record_id_for(doc["source"], ref)
    if ids.get(ref) != record_id:
        raise ValueError(f"entry refers to {doc['source']}/{ref}, which the case does not hold")
    at = doc["at"]
    if not isinstance(at, datetime):
        raise ValueError(f"entry `at` must be a date and time, got {at!r}")
    return Entry(
        kind=doc["kind"],
        record_id=record_id,
        actor=str(doc.get("actor", doc["source"])),
        at=at,
        data=dict(doc.get("data") or {}),
        seq=seq,
    )


def _date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"expected a date such as 2026-03-01, got {value!r}")
    return value


def _check_unique_refs(path: Path, records: tuple[Record, ...]) -> None:
    seen: set[str] = set()
    for r in records:
        if r.source_ref in seen:
            raise ValueError(f"{path}: source_ref {r.source_ref} is used twice in one case")
        seen.add(r.source_ref)
