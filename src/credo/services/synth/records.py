"""One chunk of a pack's synthetic records: a run of subjects with all their records, so that
the records a subject's case or repair ties together are drawn together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from credo.services.synth.attributes import AttributeMaker
from credo.services.synth.columns import dates, fixed_strings, pick, random_hex, repeated
from credo.services.synth.entries import entries
from credo.services.synth.plan import SOURCES, PackPlan

SECOND_REPORT = 0.04  # share of records that report the subject's previous case again
REPAIRED = 0.33  # share of repairable list admissions that are repaired, 30 to 400 days later
EVIDENCE_BASE = "https://records.example/"


@dataclass(frozen=True)
class Layout:
    """What every chunk of a run shares: the date, the span of years, the widths of numbers."""

    today: int  # as_of, as a day number
    days: int  # records occurred within this many days before as_of
    subject_digits: int
    record_digits: int
    attributes: AttributeMaker
    schema: pa.Schema


@dataclass(frozen=True)
class Subjects:
    """A run of subjects: their numbers, record counts and regions."""

    first: int  # the global number of the first subject (ids are unique across packs)
    counts: np.ndarray
    regions: np.ndarray
    first_record: int  # the pack's number of the first record of the run


def chunk(
    rng: np.random.Generator, plan: PackPlan, layout: Layout, run: Subjects, first_seq: int
) -> tuple[pa.Table, pa.Table]:
    """The records of the run (repairs appended) and the ledger entries about them."""
    local = np.repeat(np.arange(len(run.counts)), run.counts)
    n = len(local)
    numbers = run.first_record + np.arange(n)
    days = layout.today - rng.integers(0, layout.days, n)
    types = _types(rng, plan, plan.era_of(days))
    cases = _cases(rng, plan, types, local, numbers)

    later = days + rng.integers(30, 400, n)
    fixed = (plan.repair[types] >= 0) & (rng.random(n) < REPAIRED) & (later <= layout.today)
    r = np.flatnonzero(fixed)
    local = np.concatenate([local, local[r]])
    all_days = np.concatenate([days, later[r]])
    types = np.concatenate([types, plan.repair[types[r]]])
    cases = np.concatenate([cases, cases[r]])

    ref = f"{plan.id}-"
    digits = layout.record_digits
    refs = pa.concat_arrays(
        [fixed_strings(ref, numbers, digits), fixed_strings(ref, numbers[r], digits, "-R")]
    )
    uri = EVIDENCE_BASE + ref
    uris = pa.concat_arrays(
        [
            fixed_strings(uri, numbers, digits, ".pdf"),
            fixed_strings(uri, numbers[r], digits, "-R.pdf"),
        ]
    )
    sources = pick(SOURCES, plan.source[types])
    subject_ids = fixed_strings(
        f"{plan.prefix}-", run.first + np.arange(len(run.counts)), layout.subject_digits
    )
    subject = pa.StructArray.from_arrays(
        [
            subject_ids.take(pa.array(local)),
            repeated(plan.kind, len(local)),
            pick(plan.regions, run.regions[local]),
        ],
        names=["id", "kind", "region"],
    )
    records = pa.Table.from_arrays(
        [
            subject,
            pick(plan.types, types),
            dates(all_days),
            sources,
            refs,
            layout.attributes.make(rng, plan, plan.era_of(all_days), types),
            pa.StructArray.from_arrays(
                [uris, random_hex(rng, len(local))], names=["uri", "sha256"]
            ),
            fixed_strings(f"K-{ref}", np.maximum(cases, 0), digits, valid=cases >= 0),
        ],
        schema=layout.schema,
    )
    ledger_entries = entries(
        rng,
        plan,
        refs=refs.slice(0, n),
        sources=sources.slice(0, n),
        numbers=numbers,
        days=days,
        today=layout.today,
        digits=digits,
        first_seq=first_seq,
    )
    return records, ledger_entries


def _types(rng: np.random.Generator, plan: PackPlan, era: np.ndarray) -> np.ndarray:
    """Each record's type, drawn by weight from the types declared by the version in force
    when it occurred (before any version: the first one's)."""
    draw = rng.random(len(era))
    types = np.empty(len(era), np.int64)
    for n, e in enumerate(plan.eras):
        rows = era == n
        pos = np.searchsorted(e.cumulative, draw[rows], side="right")
        types[rows] = e.types[np.minimum(pos, len(e.types) - 1)]
    return types


def _cases(
    rng: np.random.Generator,
    plan: PackPlan,
    types: np.ndarray,
    subjects: np.ndarray,
    numbers: np.ndarray,
) -> np.ndarray:
    """Each record's case as the number of the record that opened it, -1 for none. Judicial
    records and repairable admissions open their own; now and then a record is a second report
    of the same subject's previous record's case, and the two merge (SPEC §4.4)."""
    cases = np.where(plan.case[types], numbers, -1)
    again = rng.random(len(types)) < SECOND_REPORT
    again[0] = False
    again[1:] &= subjects[1:] == subjects[:-1]
    again[1:] &= ~again[:-1]  # no chains: each second report points at a first one
    second = np.flatnonzero(again)
    first = second - 1
    shared = np.where(cases[first] >= 0, cases[first], numbers[first])
    cases[first] = shared
    cases[second] = shared
    return cases
