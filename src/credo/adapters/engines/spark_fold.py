"""The fold on Spark: `domain.scoring.fold`, the same function the fold engine runs, over the
judged ledger written as Parquet in parts of whole subjects.

The fold is exact per subject, so a part that holds every row of its subjects folds on its own:
each part is one Parquet file of judged records and one of the list entries they open. Spark
schedules one task per part (`mapInArrow` over the part numbers); the task's Python worker
reads its part's two files, folds them with the subjects numbered from the part's first, and
sends back the answers, which the driver puts back in place and tabulates as the fold engine
does. Nothing is shuffled, and nothing of the scoring is written a second time.

The judged ledger itself is judged once, by the fold engine's judge (DuckDB), and kept beside
a Parquet ledger as before; on a cluster the parts live where every executor reads them (the
same path on a shared file system or object store).
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from credo.adapters.engines.fold_engine import (
    FOLDED_LISTS,
    FOLDED_RECORDS,
    FoldEngine,
    Folder,
    column_array,
    lists_arrays,
    records_arrays,
    subject_starts,
)
from credo.adapters.engines.judged_files import JudgedLedger
from credo.adapters.engines.protocol import Progress, Recomputed
from credo.adapters.engines.spark_engine import SparkEngine
from credo.adapters.engines.sql.judge import points_columns
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.fold import Day, Folded, fold
from credo.domain.scoring.judged import JudgedLists, JudgedRecords, Numbering

PART_ROWS = 1_000_000
"""Records a part holds, about (a part ends where a subject does): a task's worth of work."""

SUBJECT, LIST_ROW, RECORD_ROW = 0, 1, 2
"""What a row of the workers' answers stands for, by its `kind`: a subject (by number), an
open list entry (by its row of the judged lists) or, for detail, a record (by its row)."""

_FIELDS = [
    ("known", pa.bool_()),
    ("pack", pa.int32()),
    ("place", pa.int32()),
    ("score", pa.int64()),
    ("tier", pa.int32()),
    ("valid", pa.int64()),
    ("until", pa.int64()),
    ("reason", pa.int8()),
    ("points", pa.int64()),
    ("counted", pa.int64()),
]
"""What a row of the answers may carry; a kind of row fills only its own and leaves the rest 0."""
_SPARK_TYPES = {pa.bool_(): "boolean", pa.int8(): "byte", pa.int32(): "int", pa.int64(): "long"}
ANSWERS = ", ".join(
    f"{name} {_SPARK_TYPES[type_]}"
    for name, type_ in [("kind", pa.int8()), ("at", pa.int64()), *_FIELDS]
)
"""The answers' schema as Spark is told it."""


def write_parts(judged: JudgedLedger, versions: int, folder: Path, part_rows: int) -> int:
    """The judged ledger's records and lists in `folder/records` and `folder/lists`, one file
    each per part of about `part_rows` records, every part ending where a subject does (none
    for an empty ledger). Each row carries its row in the whole; returns how many parts."""
    records, lists = judged.records, judged.lists
    subject = column_array(records, "subject", np.int32)
    starts = subject_starts(subject)
    wanted = np.arange(0, subject.size, max(part_rows, 1))
    cuts = [*np.unique(starts[np.searchsorted(starts, wanted)]).tolist(), subject.size]
    by_subject = np.argsort(column_array(lists, "subject", np.int32), kind="stable")
    list_subjects = column_array(lists, "subject", np.int32)[by_subject]
    folded = [c for c, _ in FOLDED_RECORDS.values()]
    chosen = records.select(["subject", *folded, *points_columns(versions)])
    for name in ("records", "lists"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    for part, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        rows = chosen.slice(lo, hi - lo)
        rows = rows.append_column("row", pa.array(np.arange(lo, hi, dtype=np.int64)))
        pq.write_table(rows, folder / "records" / f"part-{part:05d}.parquet")
        first, last = int(subject[lo]), int(subject[hi - 1])
        within = by_subject[
            np.searchsorted(list_subjects, first) : np.searchsorted(list_subjects, last, "right")
        ]
        opened = lists.select(["subject", *(c for c, _ in FOLDED_LISTS.values())]).take(within)
        opened = opened.append_column("row", pa.array(within.astype(np.int64)))
        pq.write_table(opened, folder / "lists" / f"part-{part:05d}.parquet")
    return len(cuts) - 1


def fold_parts(
    parts: str, day: Day, versions: int, *, detail: bool
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """What a Spark worker runs over its share of the part numbers: each part's files read from
    `parts` and folded, as rows of `ANSWERS`."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for part in batch.column(0).to_pylist():
                rows = pq.read_table(f"{parts}/records/part-{part:05d}.parquet")
                opened = pq.read_table(f"{parts}/lists/part-{part:05d}.parquet")
                yield from _fold_part(rows, opened, day, versions, detail=detail)

    return run


def _fold_part(
    rows: pa.Table, opened: pa.Table, day: Day, versions: int, *, detail: bool
) -> Iterator[pa.RecordBatch]:
    first = int(rows.column("subject")[0].as_py())
    j = records_arrays(rows, versions, first)
    li = lists_arrays(opened, first)
    f = fold(j, li, day, detail=detail)
    n = f.score.size
    yield _answers(
        SUBJECT,
        first + np.arange(n, dtype=np.int64),
        known=f.known,
        pack=f.pack,
        place=f.place,
        score=f.score,
        tier=f.tier,
        valid=f.valid_until,
    )
    shown = np.flatnonzero(f.open)
    list_rows = column_array(opened, "row", np.int64)[shown]
    yield _answers(LIST_ROW, list_rows, until=f.until[shown])
    if detail:
        assert f.reason is not None
        assert f.points is not None
        assert f.counted is not None
        at = column_array(rows, "row", np.int64)
        yield _answers(RECORD_ROW, at, reason=f.reason, points=f.points, counted=f.counted)


def _answers(kind: int, at: np.ndarray[Any, Any], **given: np.ndarray[Any, Any]) -> pa.RecordBatch:
    n = at.size
    columns = [pa.array(np.full(n, kind, np.int8)), pa.array(at.astype(np.int64))]
    for name, type_ in _FIELDS:
        values = given.get(name)
        dtype = type_.to_pandas_dtype()
        columns.append(pa.array(np.zeros(n, dtype) if values is None else values.astype(dtype)))
    return pa.RecordBatch.from_arrays(columns, ["kind", "at", *(name for name, _ in _FIELDS)])


class SparkFolder(Folder):
    """A `Folder` whose fold runs on Spark over the parts in `parts` (`write_parts`)."""

    def __init__(self, judged: JudgedLedger, rulebook: Rulebook, spark: Any, parts: Path) -> None:
        super().__init__(judged, rulebook)
        self.spark = spark
        self.parts = parts

    def _folded(self, day: Day, *, detail: bool) -> Folded:
        # Spark hands out the part numbers, one task each, and each task reads its part's
        # files itself: handing ten million rows from Spark's reader to its Python workers
        # costs more than folding them (docs/operating-spark.md).
        count = len(list((self.parts / "records").glob("part-*.parquet")))
        numbers = self.spark.range(count, numPartitions=max(count, 1))
        run = fold_parts(str(self.parts), day, self.numbering.versions, detail=detail)
        got = numbers.mapInArrow(run, ANSWERS).toArrow()
        return _gathered(got, self.records, self.lists, detail=detail)


def _gathered(got: pa.Table, j: JudgedRecords, li: JudgedLists, *, detail: bool) -> Folded:
    """The workers' answers put back in place: every subject's, every list row's (closed where
    no worker said open), every record's when asked for."""
    kind = column_array(got, "kind", np.int8)
    at = column_array(got, "at", np.int64)

    def spread(which: int, name: str, size: int, dtype: Any) -> np.ndarray[Any, Any]:
        out = np.zeros(size, dtype)
        rows = np.flatnonzero(kind == which)
        out[at[rows]] = column_array(got, name, dtype)[rows]
        return out

    subjects, list_rows = j.starts.size, li.subject.size
    shown = np.zeros(list_rows, np.bool_)
    shown[at[kind == LIST_ROW]] = True
    reason = points = counted = None
    if detail:
        size = j.subject.size
        reason = spread(RECORD_ROW, "reason", size, np.int8)
        points = spread(RECORD_ROW, "points", size, np.int64)
        counted = spread(RECORD_ROW, "counted", size, np.int64)
    return Folded(
        spread(SUBJECT, "known", subjects, np.bool_),
        spread(SUBJECT, "pack", subjects, np.int32),
        spread(SUBJECT, "place", subjects, np.int32),
        spread(SUBJECT, "score", subjects, np.int64),
        spread(SUBJECT, "tier", subjects, np.int32),
        spread(SUBJECT, "valid", subjects, np.int64),
        shown,
        spread(LIST_ROW, "until", list_rows, np.int64),
        reason,
        points,
        counted,
    )


class SparkFoldEngine(FoldEngine):
    """`credo recompute --engine spark-fold`: judged once as the fold engine judges (and kept
    beside a Parquet ledger), folded on Spark."""

    name = "spark-fold"

    def __init__(
        self,
        spark: SparkEngine | None = None,
        *,
        part_rows: int = PART_ROWS,
        threads: int | None = None,
    ) -> None:
        super().__init__(threads=threads)
        self.spark = spark or SparkEngine()
        self.part_rows = part_rows

    def fold(
        self, judged: JudgedLedger, rulebook: Rulebook, as_of: date, detail: bool, tell: Progress
    ) -> Recomputed:
        with tempfile.TemporaryDirectory(prefix="credo-parts-") as d:
            parts = Path(d)
            tell("writing the judged ledger in parts")
            write_parts(judged, Numbering.of(rulebook).versions, parts, self.part_rows)
            tell("folding on Spark")
            return SparkFolder(judged, rulebook, self.spark.spark(), parts).on(as_of, detail=detail)
