"""A synthetic population and its ledger, generated from the packs themselves.

Vectorised with numpy and Arrow, and generated in chunks of a few million records, so a nation
(ten million subjects, a hundred million records) streams to Parquet in bounded memory.
Deterministic by seed: the same seed, packs, sizes and date give the same records and entries.

Most subjects have a handful of records and a few have hundreds; every record type of every
version appears, in the years that version was in force; some records share a case_ref (and so
merge); list admissions are followed, now and then, by the record that repairs them; and a few
records are withdrawn or objected to, most objections decided.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from credo.domain.rules.rulebook import PackHistory, Rulebook
from credo.services.synth.attributes import AttributeMaker
from credo.services.synth.plan import PackPlan, day_number, plan_pack
from credo.services.synth.records import Layout, Subjects, chunk

_PERSON_SHARE = 0.8  # of subjects; the rest are organisations
_ORGANISATION_RATE = 0.4  # records per organisation, relative to a person: most firms are clean
# Records per subject: lognormal weights, capped, give most subjects 0–3 records and a few
# hundreds (about a thousand at most, at ten records a subject on average).
_SKEW_SIGMA = 2.0
_SKEW_CAP = 3.2


@dataclass(frozen=True)
class SynthSpec:
    subjects: int
    records: int
    seed: int = 7
    today: date = date(2026, 11, 22)
    years: int = 3
    chunk_records: int = 2_000_000


@dataclass(frozen=True)
class Chunk:
    records: pa.Table  # the ingest format of SPEC §2, attributes as a typed struct
    entries: pa.Table  # withdrawals, objections and decisions about these records


def synthesize(rulebook: Rulebook, spec: SynthSpec) -> pa.Table:
    """The records of a small synthetic ledger, in one table."""
    return pa.concat_tables(c.records for c in synthesize_chunks(rulebook, spec))


def synthesize_chunks(rulebook: Rulebook, spec: SynthSpec) -> Iterator[Chunk]:
    plans = _plans(rulebook)
    attributes = AttributeMaker(plans)
    layout = Layout(
        today=day_number(spec.today),
        days=365 * spec.years,
        subject_digits=max(7, len(str(spec.subjects))),
        record_digits=max(9, len(str(spec.records))),
        attributes=attributes,
        schema=_schema(attributes.type),
    )
    shares = _subject_share([p.history for p in plans], spec.subjects)
    weights = [
        n * (1.0 if p.kind == "person" else _ORGANISATION_RATE)
        for p, n in zip(plans, shares, strict=True)
    ]
    first_subject = seq = 0
    for i, (plan, n_subjects, weight) in enumerate(zip(plans, shares, weights, strict=True)):
        n_records = round(spec.records * weight / sum(weights))
        if n_subjects and n_records:
            for records, entries in _pack_chunks(
                i, plan, layout, spec, first_subject, n_subjects, n_records, seq
            ):
                seq += entries.num_rows
                yield Chunk(records, entries)
        first_subject += n_subjects


def _pack_chunks(
    i: int,
    plan: PackPlan,
    layout: Layout,
    spec: SynthSpec,
    first_subject: int,
    n_subjects: int,
    n_records: int,
    first_seq: int,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    rng = np.random.default_rng([spec.seed, i])
    weights = np.exp(_SKEW_SIGMA * np.minimum(rng.standard_normal(n_subjects), _SKEW_CAP))
    counts = rng.multinomial(n_records, weights / weights.sum())
    regions = rng.integers(0, len(plan.regions), n_subjects).astype(np.int8)
    ends = np.cumsum(counts)
    # Chunks end on subject boundaries, after about `chunk_records` records each.
    cuts = np.searchsorted(ends, np.arange(spec.chunk_records, n_records, spec.chunk_records))
    bounds = np.unique(np.concatenate([[0], cuts + 1, [n_subjects]]))
    seq = first_seq
    for k, (start, stop) in enumerate(itertools.pairwise(bounds)):
        if not counts[start:stop].any():
            continue
        run = Subjects(
            first=first_subject + int(start),
            counts=counts[start:stop],
            regions=regions[start:stop],
            first_record=int(ends[start - 1]) if start else 0,
        )
        chunk_rng = np.random.default_rng([spec.seed, i, k])
        records, entries = chunk(chunk_rng, plan, layout, run, seq)
        seq += entries.num_rows
        yield records, entries


def _plans(rulebook: Rulebook) -> list[PackPlan]:
    if not rulebook.packs:
        raise ValueError("adopt at least one pack before synthesising records")
    return [plan_pack(h) for h in rulebook.packs.values()]


def _subject_share(histories: list[PackHistory], total: int) -> list[int]:
    weights = np.array(
        [_PERSON_SHARE if "person" in h.subject_kinds else 1 - _PERSON_SHARE for h in histories]
    )
    counts = np.floor(total * weights / weights.sum()).astype(int)
    counts[0] += total - counts.sum()
    return [int(c) for c in counts]


def _schema(attributes: pa.StructType) -> pa.Schema:
    """The ingest format of SPEC §2 as Parquet columns."""
    return pa.schema(
        [
            (
                "subject",
                pa.struct([("id", pa.string()), ("kind", pa.string()), ("region", pa.string())]),
            ),
            ("type", pa.string()),
            ("occurred_at", pa.date32()),
            ("source", pa.string()),
            ("source_ref", pa.string()),
            ("attributes", attributes),
            ("evidence", pa.struct([("uri", pa.string()), ("sha256", pa.string())])),
            ("case_ref", pa.string()),
        ]
    )
