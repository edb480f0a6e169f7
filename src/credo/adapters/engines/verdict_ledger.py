"""The judged ledger from a store's verdicts (`credo.domain.scoring.verdicts`): numbered and
sorted as the judge's SQL assembles it (`sql.judge.assemble`), with what depends on other
records worked out here: which cases can hold more than one record that may count, and the
day each list entry is first repaired. The fold then folds it as it folds any judged ledger."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from credo.adapters.engines.judged_files import JudgedLedger
from credo.adapters.engines.sql.judge import points_columns
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.judged import (
    MAY_COUNT,
    NEVER,
    NO_RULE,
    OVERTURNED,
    WITHDRAWN,
    Numbering,
)
from credo.domain.scoring.verdicts import VERDICT_FIELDS, VerdictRow

VERDICT_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("subject_id", pa.string()),
        ("region", pa.string()),
        ("kind", pa.string()),
        ("occurred_at", pa.date32()),
        ("case_ref", pa.string()),
        ("pack", pa.string()),
        ("rule", pa.int32()),
        ("expires_on", pa.date32()),
        ("points", pa.int64()),
        ("later", pa.string()),
        ("lists", pa.string()),
        ("withdrawn", pa.bool_()),
        ("overturned", pa.bool_()),
        ("disputed", pa.bool_()),
    ]
)
assert tuple(VERDICT_SCHEMA.names) == VERDICT_FIELDS

_SEP = "\x1f"  # between region and kind in a place's key: sorts below every character of either


def verdict_table(rows: Iterable[VerdictRow]) -> pa.Table:
    """Verdict rows (as `verdicts.verdict_row` gives them, or a store reads them) as a table."""
    columns: list[list[object]] = [[] for _ in VERDICT_FIELDS]
    appends = [c.append for c in columns]
    for row in rows:
        for append, value in zip(appends, row, strict=True):
            append(value)
    return pa.table(
        [pa.array(c, f.type) for c, f in zip(columns, VERDICT_SCHEMA, strict=True)],
        schema=VERDICT_SCHEMA,
    )


def judged_of_verdicts(verdicts: pa.Table, rulebook: Rulebook) -> JudgedLedger:
    """The judged ledger of these verdicts (a table of `verdicts.VERDICT_FIELDS`, in any
    order), numbered by the rulebook they were judged by: what `fold_engine.Folder` folds."""
    numbering = Numbering.of(rulebook)
    t = verdicts.sort_by(
        [("subject_id", "ascending"), ("occurred_at", "ascending"), ("record_id", "ascending")]
    ).combine_chunks()
    n = t.num_rows
    subject_ids = t.column("subject_id").chunk(0) if n else pa.array([], pa.string())
    changes = np.ones(n, np.bool_)
    if n > 1:
        each, before = subject_ids.slice(1), subject_ids.slice(0, n - 1)
        changes[1:] = pc.not_equal(each, before).to_numpy(zero_copy_only=False)
    subject = (np.cumsum(changes) - 1).astype(np.int32)

    keys = pc.binary_join_element_wise(t.column("region"), t.column("kind"), _SEP)
    distinct = pc.unique(keys)
    place_keys = distinct.take(pc.array_sort_indices(distinct))
    place = _filled(pc.index_in(keys, value_set=place_keys), -1)
    region_kind = [k.split(_SEP) for k in place_keys.to_pylist()]

    pack = _filled(pc.index_in(t.column("pack"), value_set=pa.array(numbering.packs)), -1)
    local = _filled(t.column("rule"), -1)
    offsets = np.array([*numbering.rule_offsets, 0], np.int64)
    rule = np.where(local >= 0, local + offsets[pack], -1).astype(np.int32)
    withdrawn = _flags(t.column("withdrawn"))
    overturned = _flags(t.column("overturned"))
    fate = np.select(
        [withdrawn, overturned, rule < 0], [WITHDRAWN, OVERTURNED, NO_RULE], MAY_COUNT
    ).astype(np.int8)
    disputed = _flags(t.column("disputed"))
    occurred = _days(t.column("occurred_at"))
    expires = _days(t.column("expires_on"))
    case_no = _cases(
        subject, t.column("case_ref").chunk(0) if n else pa.array([], pa.string()), fate
    )

    points = _filled(t.column("points"), 0).astype(np.int64)
    columns = [points.copy() for _ in range(numbering.versions)]
    milder = pc.indices_nonzero(pc.is_valid(t.column("later")))
    for i, later in zip(
        milder.to_pylist(), t.column("later").take(milder).to_pylist(), strict=True
    ):
        for k, p in orjson.loads(later):
            columns[k][i] = p
    records = pa.table(
        {
            "subject": pa.array(subject, pa.int32()),
            "record_id": t.column("record_id"),
            "occurred": pa.array(occurred, pa.int32()),
            "expires": pa.array(expires, pa.int32()),
            "pack": pa.array(pack.astype(np.int16), pa.int16()),
            "rule": pa.array(rule, pa.int32()),
            "fate": pa.array(fate, pa.int8()),
            "disputed": pa.array(disputed.astype(np.int8), pa.int8()),
            "case_no": pa.array(case_no, pa.int32()),
            "place": pa.array(place.astype(np.int32), pa.int32()),
            **{
                name: _narrow(col)
                for name, col in zip(points_columns(numbering.versions), columns, strict=True)
            },
        }
    )
    lists = _lists(t, subject, pack, fate, occurred, disputed, numbering)
    return JudgedLedger(
        records,
        lists,
        pa.table({"subject_id": subject_ids.filter(pa.array(changes))}),
        pa.table(
            {
                "region": pa.array([r for r, _ in region_kind], pa.string()),
                "kind": pa.array([k for _, k in region_kind], pa.string()),
            }
        ),
    )


def _filled(column: pa.ChunkedArray | pa.Array, fill: int) -> np.ndarray:
    return np.asarray(pc.fill_null(column, fill).to_numpy(zero_copy_only=False)).astype(np.int64)


def _flags(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), np.bool_)


def _days(column: pa.ChunkedArray) -> np.ndarray:
    days = pc.fill_null(column.cast(pa.int32()), NEVER)
    return np.asarray(days.to_numpy(zero_copy_only=False), np.int32)


def _narrow(points: np.ndarray) -> pa.Array:
    """32 bits where every value fits, as the judge writes its points."""
    if points.size == 0 or (points.min() >= -(2**31) and points.max() < 2**31):
        return pa.array(points.astype(np.int32), pa.int32())
    return pa.array(points, pa.int64())


def _cases(subject: np.ndarray, case_ref: pa.Array, fate: np.ndarray) -> np.ndarray:
    """Case numbers for the cases that hold more than one record that may count, numbered in
    the order of subject and case_ref; -1 for every other record."""
    out = np.full(subject.size, -1, np.int32)
    valid = np.asarray(pc.is_valid(case_ref).to_numpy(zero_copy_only=False), np.bool_)
    rows = np.flatnonzero((fate == MAY_COUNT) & valid)
    if rows.size == 0:
        return out
    cased = pa.table(
        {"s": pa.array(subject[rows]), "c": case_ref.take(pa.array(rows)), "row": pa.array(rows)}
    )
    counts = cased.group_by(["s", "c"]).aggregate([("row", "count")])
    shared = counts.filter(pc.greater(counts.column("row_count"), 1))
    shared = shared.sort_by([("s", "ascending"), ("c", "ascending")])
    numbered = shared.select(["s", "c"]).append_column(
        "case_no", pa.array(np.arange(shared.num_rows, dtype=np.int32))
    )
    found = cased.join(numbered, keys=["s", "c"], join_type="inner")
    out[found.column("row").to_numpy()] = found.column("case_no").to_numpy()
    return out


def _lists(
    t: pa.Table,
    subject: np.ndarray,
    pack: np.ndarray,
    fate: np.ndarray,
    occurred: np.ndarray,
    disputed: np.ndarray,
    numbering: Numbering,
) -> pa.Table:
    """One row per list entry a record that is neither withdrawn nor overturned opens, with the
    day of its first repair: the earliest record of its subject and case, itself neither
    withdrawn nor overturned, on or after the admission, that can make the admitting version's
    repair (whichever pack judges it)."""
    standing = (fate != WITHDRAWN) & (fate != OVERTURNED)
    column = t.column("lists")
    listed = [i for i in pc.indices_nonzero(pc.is_valid(column)).to_pylist() if standing[i]]
    taken = pa.array(listed, pa.int64())
    found = dict(zip(listed, map(orjson.loads, column.take(taken).to_pylist()), strict=True))
    case_ref = dict(zip(listed, t.column("case_ref").take(taken).to_pylist(), strict=True))
    repairs: dict[tuple[int, str, str], list[int]] = {}
    for i, parts in found.items():
        ref = case_ref[i]
        for key in parts["repairs"]:
            if ref is not None:
                repairs.setdefault((int(subject[i]), ref, key), []).append(int(occurred[i]))
    list_no = {name: k for k, name in enumerate(numbering.lists)}
    rows: list[tuple[int, int, int, int, int, int, int, int]] = []
    for i, parts in found.items():
        ref = case_ref[i]
        for list_id, days, key in parts["admits"]:
            since = int(occurred[i])
            repaired = NEVER
            if key is not None and ref is not None:
                days_on = [d for d in repairs.get((int(subject[i]), ref, key), ()) if d >= since]
                repaired = min(days_on, default=NEVER)
            rows.append(
                (
                    i,
                    int(subject[i]),
                    list_no[list_id],
                    int(pack[i]),
                    since,
                    days,
                    repaired,
                    int(disputed[i]),
                )
            )
    at = pa.array([r[0] for r in rows], pa.int64())
    return pa.table(
        {
            "subject": pa.array([r[1] for r in rows], pa.int32()),
            "record_id": t.column("record_id").take(at),
            "list": pa.array([r[2] for r in rows], pa.int32()),
            "pack": pa.array([r[3] for r in rows], pa.int16()),
            "since": pa.array([r[4] for r in rows], pa.int32()),
            "days": pa.array([r[5] for r in rows], pa.int32()),
            "repaired": pa.array([r[6] for r in rows], pa.int32()),
            "disputed": pa.array([r[7] for r in rows], pa.int8()),
        }
    )
