"""Every golden case in one ledger, so that a slow engine answers them all in one job.

Spark pays seconds per job whatever its size; run case by case, the golden cases cost it most of
the suite's time. A batch gives each case its own namespace, so that no case can see another's
subjects, records, objections or packs, and moves each case in time, so that all of them are
scored on one date:

- subject ids, source references and objection ids get a `gNN:` prefix; regions and
  jurisdictions a `GNN-` segment in front (longest-prefix governance is unchanged within a case
  and never reaches into another); pack names a `gNN-` prefix;
- every date of a case (occurred_at, entry times, effective_from) moves by the gap between the
  case's `as_of` and the batch's.

The engine and the online path are then compared on the batch, case by case. The batch is not
the case as written (record ids change with their references, and scoring breaks ties by record
id), so this proves the engine agrees with the online path on a ledger with the same variety;
that the online path answers the cases as written is `tests/golden`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import Record
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.packs import Pack
from tests.engines.views import View
from tests.golden.cases import GoldenCase

AS_OF = date(2027, 1, 1)  # after every case's as_of: every case moves forward


def namespaced(case: GoldenCase, k: int, as_of: date = AS_OF) -> GoldenCase:
    """The case in namespace `k`, moved in time to be scored on `as_of`."""
    shift = as_of - case.as_of
    records = {r.record_id: _record(r, k, shift) for r in case.records}
    return replace(
        case,
        as_of=as_of,
        packs=tuple(_pack(p, k, shift) for p in case.packs),
        records=tuple(records.values()),
        entries=tuple(_entry(e, k, shift, records[e.record_id]) for e in case.entries),
    )


def batch(cases: Sequence[GoldenCase]) -> GoldenCase:
    """Namespaced cases, scored on one date, as one case."""
    if len({case.as_of for case in cases}) != 1:
        raise ValueError("a batch's cases are scored on one date: namespace them first")
    entries = [e for case in cases for e in case.entries]
    return replace(
        cases[0],
        name="every case at once",
        packs=tuple(p for case in cases for p in case.packs),
        records=tuple(r for case in cases for r in case.records),
        entries=tuple(replace(e, seq=i) for i, e in enumerate(entries)),
    )


def by_case(view: View, cases: Sequence[GoldenCase]) -> list[View]:
    """A view of a batch taken apart again, one view per case, in the batch's order."""
    record_case = {r.record_id: k for k, case in enumerate(cases) for r in case.records}
    out: list[View] = [{"scores": {}, "verdicts": {}, "entries": set()} for _ in cases]
    for subject_id, answer in view["scores"].items():
        out[_case_of(subject_id)]["scores"][subject_id] = answer
    for record_id, verdict in view["verdicts"].items():
        out[record_case[record_id]]["verdicts"][record_id] = verdict
    for entry in view["entries"]:
        out[_case_of(entry[0])]["entries"].add(entry)
    return out


def _case_of(subject_id: str) -> int:
    return int(subject_id[1:3])


def _prefix(k: int) -> str:
    return f"g{k:02d}"


def _pack(pack: Pack, k: int, shift: timedelta) -> Pack:
    return pack.model_copy(
        update={
            "pack": f"{_prefix(k)}-{pack.pack}",
            "jurisdiction": _region(pack.jurisdiction, k),
            "effective_from": pack.effective_from + shift,
        }
    )


def _record(r: Record, k: int, shift: timedelta) -> Record:
    s = r.subject
    return replace(
        r,
        subject=Subject(f"{_prefix(k)}:{s.id}", s.kind, _region(s.region, k)),
        source_ref=f"{_prefix(k)}:{r.source_ref}",
        occurred_at=r.occurred_at + shift,
    )


def _entry(e: Entry, k: int, shift: timedelta, record: Record) -> Entry:
    data = dict(e.data)
    if "objection_id" in data:
        data["objection_id"] = f"{_prefix(k)}:{data['objection_id']}"
    return replace(e, record_id=record.record_id, at=e.at + shift, data=data)


def _region(region: str, k: int) -> str:
    return f"{_prefix(k).upper()}-{region}"
