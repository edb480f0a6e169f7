"""Synthetic ledger entries for a chunk of records: withdrawals by the provider, objections by
the subject, and the reviewers' decisions on most of them.

Every entry comes after its record occurred and before the `as_of` date; an objection whose
decision would fall after it is still open. Record ids are computed only for the few records
that get entries.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from credo.adapters.engines.staged import ENTRIES_SCHEMA
from credo.domain.ledger.records import record_id_for
from credo.services.synth.columns import fixed_strings
from credo.services.synth.plan import PackPlan

WITHDRAWN = 0.004  # share of records their provider withdraws
OBJECTED = 0.012  # share of records their subject objects to
DECIDED = 0.6  # share of objections decided when the review fits before as_of
OVERTURNED = 0.35  # share of decisions that overturn the record
_DAY_US = 86_400 * 1_000_000


def entries(
    rng: np.random.Generator,
    plan: PackPlan,
    *,
    refs: pa.StringArray,
    sources: pa.Array,
    numbers: np.ndarray,
    days: np.ndarray,
    today: int,
    digits: int,
    first_seq: int,
) -> pa.Table:
    """Entries for the records whose source_refs, sources, record numbers and days are given."""
    n = len(days)
    draw = rng.random(n)
    # An entry needs a whole day after the record and before as_of, so its time lies strictly
    # between the two.
    room = days <= today - 2
    withdrawn = np.flatnonzero(room & (draw < WITHDRAWN))
    objected = np.flatnonzero(room & (draw >= WITHDRAWN) & (draw < WITHDRAWN + OBJECTED))

    w_at = _at(rng, days[withdrawn] + rng.integers(1, 181, len(withdrawn)), today)
    o_day = np.minimum(
        days[objected] + rng.integers(1, plan.objection.window_days + 1, len(objected)),
        today - 1,
    )
    o_at = _at(rng, o_day, today)
    d_day = o_day + rng.integers(1, plan.objection.review_days + 1, len(objected))
    decided = (rng.random(len(objected)) < DECIDED) & (d_day <= today - 1)
    d_at = _at(rng, d_day[decided], today)
    overturned = rng.random(int(decided.sum())) < OVERTURNED

    rows = np.concatenate([withdrawn, objected, objected[decided]])
    kinds = ["withdrawal"] * len(withdrawn) + ["objection"] * len(objected)
    kinds += ["decision"] * len(d_at)
    objection_ids = fixed_strings(f"o-{plan.id}-", numbers[objected], digits)
    outcomes = np.where(overturned, "overturned", "upheld")
    return pa.Table.from_arrays(
        [
            pa.array(_record_ids(sources.take(rows), refs.take(rows)), pa.string()),
            pa.array(kinds, pa.string()),
            pa.array(np.concatenate([w_at, o_at, d_at]), pa.int64()).view(
                pa.timestamp("us", tz="UTC")
            ),
            pa.array(first_seq + np.arange(len(rows)), pa.int64()),
            pa.concat_arrays(
                [
                    pa.nulls(len(withdrawn), pa.string()),
                    objection_ids,
                    objection_ids.filter(pa.array(decided)),
                ]
            ),
            pa.concat_arrays(
                [
                    pa.nulls(len(withdrawn) + len(objected), pa.string()),
                    pa.array(outcomes.tolist(), pa.string()),
                ]
            ),
        ],
        schema=ENTRIES_SCHEMA,
    )


def _at(rng: np.random.Generator, days: np.ndarray, today: int) -> np.ndarray:
    """A time of day on each day (clipped to the day before as_of), in microseconds."""
    whole = np.minimum(days, today - 1).astype(np.int64) * _DAY_US
    at: np.ndarray = whole + rng.integers(0, _DAY_US, len(days))
    return at


def _record_ids(sources: pa.Array, refs: pa.Array) -> list[str]:
    """Record ids for the few records that have entries (an md5 each, so not per record)."""
    return [record_id_for(s, r) for s, r in zip(sources.to_pylist(), refs.to_pylist(), strict=True)]
