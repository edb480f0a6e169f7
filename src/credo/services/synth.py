"""A synthetic population and its ledger, generated from the packs themselves.

Vectorised with numpy and deterministic by seed: the same seed, packs and date give the same
records. Most subjects have a handful of records and a few have very many, every record type of
every pack appears, some records share a case_ref (and so merge), and list admissions are
followed, now and then, by the record that repairs them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import orjson
import pyarrow as pa

from credo.domain.packs import FieldSpec, Pack
from credo.domain.rulebook import PackHistory, Rulebook

PROVIDERS = {
    "traffic": "traffic-police",
    "tax": "tax-bureau",
    "judicial": "people-court",
    "civic": "civic-office",
    "regulatory": "market-regulator",
    "finance": "finance-regulator",
    "contract": "utility-company",
}
_WEIGHT = {
    "traffic": 6,
    "civic": 4,
    "contract": 3,
    "tax": 2,
    "regulatory": 2,
    "finance": 1,
    "judicial": 1,
}
_PROVINCES = ("SD", "JS", "ZJ", "GD", "BJ", "SH", "SC", "HB")
_PERSON_SHARE = 0.8


@dataclass(frozen=True)
class SynthSpec:
    subjects: int
    records: int
    seed: int = 7
    today: date = date(2026, 11, 22)
    years: int = 3


def synthesize(rulebook: Rulebook, spec: SynthSpec) -> pa.Table:
    rng = np.random.default_rng(spec.seed)
    histories = list(rulebook.packs.values())
    if not histories:
        raise ValueError("adopt at least one pack before synthesising records")
    share = _subject_share(histories, spec.subjects)
    # Organisations have fewer records each than persons: most firms are never sanctioned.
    weight = [
        n * (1.0 if "person" in h.subject_kinds else 0.4)
        for h, n in zip(histories, share, strict=False)
    ]
    tables = []
    offset = 0
    for history, n_subjects, w in zip(histories, share, weight, strict=True):
        n_records = round(spec.records * w / sum(weight))
        if n_subjects and n_records:
            tables.append(_pack_ledger(rng, history, n_subjects, n_records, offset, spec))
        offset += n_subjects
    return pa.concat_tables(tables)


def _subject_share(histories: list[PackHistory], total: int) -> list[int]:
    weights = np.array(
        [_PERSON_SHARE if "person" in h.subject_kinds else 1 - _PERSON_SHARE for h in histories]
    )
    counts = np.floor(total * weights / weights.sum()).astype(int)
    counts[0] += total - counts.sum()
    return [int(c) for c in counts]


def _regions(jurisdiction: str) -> list[str]:
    if "-" not in jurisdiction:
        return [f"{jurisdiction}-{p}" for p in _PROVINCES]
    return [jurisdiction, *(f"{jurisdiction}-{d:02d}" for d in range(1, 4))]


def _pack_ledger(
    rng: np.random.Generator,
    history: PackHistory,
    n_subjects: int,
    n_records: int,
    offset: int,
    spec: SynthSpec,
) -> pa.Table:
    pack = history.latest().pack
    kind = "person" if "person" in history.subject_kinds else "organisation"
    prefix = "p" if kind == "person" else "o"
    # Skew: lognormal weights give most subjects 0–3 records and a few hundreds.
    weights = rng.lognormal(0.0, 1.6, n_subjects)
    counts = rng.multinomial(n_records, weights / weights.sum())
    subj = np.repeat(np.arange(n_subjects), counts)
    regions = np.array(_regions(history.jurisdiction))
    subject_region = regions[rng.integers(0, len(regions), n_subjects)]

    repair_types = {lst.repair.record for lst in pack.lists if lst.repair}
    types = [t for t in pack.record_types if t not in repair_types]
    w = np.array([_WEIGHT[pack.record_types[t].domain] for t in types], dtype=float)
    type_idx = rng.choice(len(types), size=n_records, p=w / w.sum())
    days = rng.integers(0, 365 * spec.years, n_records)
    occurred = np.datetime64(spec.today) - days.astype("timedelta64[D]")

    ids = np.char.add(f"{prefix}-", np.char.zfill((subj + offset).astype(str), 7))
    refs = np.char.add(f"{pack.pack}-", np.char.zfill(np.arange(n_records).astype(str), 9))
    case_refs = _case_refs(rng, pack, types, type_idx, refs)
    attributes = _attributes(rng, pack, types, type_idx)
    type_names = np.array(types)[type_idx]
    domains = np.array([pack.record_types[t].domain for t in types])[type_idx]
    sources = np.vectorize(PROVIDERS.__getitem__)(domains)
    subject = _subjects(ids, kind, subject_region[subj])
    table = _table(subject, type_names, occurred, sources, refs, attributes, case_refs)
    repairs = _repairs(rng, pack, table, spec.today)
    return pa.concat_tables([table, repairs]) if repairs is not None else table


def _case_refs(
    rng: np.random.Generator, pack: Pack, types: list[str], type_idx: np.ndarray, refs: np.ndarray
) -> np.ndarray:
    """Judicial records and list admissions carry a case; 4% of other records are a second
    report of the subject's previous case (and so are merged with it)."""
    needs_case = {lst.admit.record for lst in pack.lists if lst.repair} | {
        t for t in types if pack.record_types[t].domain == "judicial"
    }
    flagged = np.isin(np.array(types)[type_idx], sorted(needs_case))
    cases = np.where(flagged, np.char.add("K-", refs), "")
    again = rng.random(len(refs)) < 0.04
    again[0] = False
    prev = np.roll(cases, 1)
    prev = np.where(prev == "", np.char.add("K-", np.roll(refs, 1)), prev)
    return np.where(again, prev, cases)


def _field_values(rng: np.random.Generator, spec: FieldSpec, n: int) -> list[object]:
    if spec.type == "boolean":
        return [bool(v) for v in rng.random(n) < 0.5]
    if spec.type == "string":
        options = spec.enum or ["a", "b", "c"]
        return [options[i] for i in rng.integers(0, len(options), n)]
    lo = spec.min if spec.min is not None else 0
    hi = spec.max if spec.max is not None else max(lo, 0) + 10
    if spec.type == "integer":
        return [int(v) for v in rng.integers(int(lo), int(hi) + 1, n)]
    # Amounts: log-uniform, so small arrears are common and large ones rare.
    low = max(float(lo), 1.0)
    return [round(float(v), 2) for v in np.exp(rng.uniform(np.log(low), np.log(hi), n))]


def _attributes(
    rng: np.random.Generator, pack: Pack, types: list[str], type_idx: np.ndarray
) -> list[str]:
    out: list[str] = [""] * len(type_idx)
    for t, name in enumerate(types):
        rows = np.flatnonzero(type_idx == t)
        fields = pack.record_types[name].fields
        columns = {f: _field_values(rng, spec, len(rows)) for f, spec in fields.items()}
        present = {
            f: rng.random(len(rows)) < (1.0 if s.required else 0.7) for f, s in fields.items()
        }
        for j, row in enumerate(rows):
            out[row] = orjson.dumps({f: columns[f][j] for f in fields if present[f][j]}).decode()
    return out


def _subjects(ids: np.ndarray, kind: str, regions: np.ndarray) -> pa.StructArray:
    return pa.StructArray.from_arrays(
        [pa.array(ids), pa.array(np.full(len(ids), kind)), pa.array(regions)],
        names=["id", "kind", "region"],
    )


def _table(
    subject: pa.StructArray,
    types: np.ndarray,
    occurred: np.ndarray,
    sources: np.ndarray,
    refs: np.ndarray,
    attributes: list[str],
    case_refs: np.ndarray,
) -> pa.Table:
    shas = [hashlib.sha256(r.encode()).hexdigest() for r in refs.tolist()]
    uris = np.char.add(np.char.add("https://records.example/", refs), ".pdf")
    evidence = pa.StructArray.from_arrays([pa.array(uris), pa.array(shas)], names=["uri", "sha256"])
    return pa.table(
        {
            "subject": subject,
            "type": pa.array(types),
            "occurred_at": pa.array(occurred.astype("datetime64[D]"), pa.date32()),
            "source": pa.array(sources),
            "source_ref": pa.array(refs),
            "attributes": pa.array(attributes),
            "evidence": evidence,
            "case_ref": pa.array([c or None for c in case_refs.tolist()], pa.string()),
        }
    )


def _repairs(rng: np.random.Generator, pack: Pack, table: pa.Table, today: date) -> pa.Table | None:
    """A third of list admissions that can be repaired are, 30 to 400 days later."""
    repairable = {lst.admit.record: lst.repair.record for lst in pack.lists if lst.repair}
    types = np.array(table.column("type").to_pylist())
    occurred = table.column("occurred_at").to_numpy().astype("datetime64[D]")
    later = occurred + rng.integers(30, 400, len(types)).astype("timedelta64[D]")
    chosen = np.isin(types, sorted(repairable)) & (rng.random(len(types)) < 0.33)
    idx = np.flatnonzero(chosen & (later <= np.datetime64(today)))
    if not len(idx):
        return None
    repair_types = [repairable[t] for t in types[idx]]
    attrs = [
        orjson.dumps(
            {
                f: _field_values(rng, s, 1)[0]
                for f, s in pack.record_types[t].fields.items()
                if s.required
            }
        ).decode()
        for t in repair_types
    ]
    refs = np.char.add(np.array(table.column("source_ref").take(idx).to_pylist()), "-R")
    return _table(
        table.column("subject").combine_chunks().take(idx),
        np.array(repair_types),
        later[idx],
        np.full(len(idx), PROVIDERS["judicial"]),
        refs,
        attrs,
        np.array(table.column("case_ref").take(idx).to_pylist()),
    )
