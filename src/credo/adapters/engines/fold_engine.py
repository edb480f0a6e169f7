"""The fold engine: the ledger judged once on DuckDB (`sql.judge`), then folded for a date in NumPy
(`credo.domain.scoring.fold`). For a Parquet ledger on disk the judged ledger is kept as Parquet
beside it (`LedgerSource.judged`), keyed by the files' checksums and the rulebook's, so that every
later recompute of that ledger, on any date, is a fold."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from credo.adapters.engines import staged
from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.judged_files import (
    FORMAT,
    JudgedLedger,
    cache_key,
    ledger_files,
    load,
    save,
)
from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed
from credo.adapters.engines.sql.judge import (
    RECORD_COLUMNS,
    assemble,
    judged_lists,
    judged_records,
    points_columns,
    union,
    unjudged_records,
)
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.fold import Day, Folded, fold
from credo.domain.scoring.fold_parts import joined, parts_of
from credo.domain.scoring.judged import LATER, NEVER, REASONS, JudgedLists, JudgedRecords, Numbering


def judge(
    source: LedgerSource, rulebook: Rulebook, engine: DuckDbEngine, tell: Progress
) -> JudgedLedger:
    session = engine.session()

    def sql(query: exp.Expr) -> str:
        return query.sql(dialect=session.dialect)

    tell("reading the ledger")
    staged.read_ledger(session, source, rulebook)
    numbering = Numbering.of(rulebook)
    histories = list(rulebook.packs.values())
    tell("judging every record")
    # One table per query, then their union: DuckDB plans one query over every pack slowly.
    parts = [unjudged_records(numbering)]
    parts += [judged_records(h, p, numbering) for p, h in enumerate(histories)]
    for i, part in enumerate(parts):
        session.create(f"judged_{i}", sql(part))
    columns = [*RECORD_COLUMNS.split(", "), *points_columns(numbering.versions)]
    session.view("judged_raw", sql(union([f"judged_{i}" for i in range(len(parts))], columns)))
    lists = [
        q for p, h in enumerate(histories) for q in judged_lists(h, p, numbering, f"judged_{p + 1}")
    ]
    for i, part in enumerate(lists):
        session.create(f"judged_lists_{i}", sql(part))
    session.view("judged_lists_raw", sql(union([f"judged_lists_{i}" for i in range(len(lists))])))
    tell("sorting the judged ledger")
    shapes = assemble(numbering)
    for name in ("subjects", "places", "cases"):
        session.create(name, sql(shapes[name]))
    records = _narrow(session.fetch(sql(shapes["records"])), numbering)
    judged = JudgedLedger(
        records,
        session.fetch(sql(shapes["lists"])),
        session.fetch("SELECT subject_id FROM subjects ORDER BY subject"),
        session.fetch("SELECT region, kind FROM places ORDER BY place"),
    )
    session.close()
    return judged


def _narrow(records: pa.Table, numbering: Numbering) -> pa.Table:
    """Points as 32-bit integers where they fit, as they nearly always do: half the memory."""
    for name in points_columns(numbering.versions):
        bounds = pc.min_max(records.column(name)).as_py()
        low, high = bounds["min"] or 0, bounds["max"] or 0
        if low >= -(2**31) and high < 2**31:
            i = records.schema.get_field_index(name)
            records = records.set_column(i, name, records.column(name).cast(pa.int32()))
    return records


# The judged ledger beside the files -------------------------------------------------------


def judged_ledger(
    source: LedgerSource, rulebook: Rulebook, engine: DuckDbEngine, tell: Progress
) -> JudgedLedger:
    """The source's judged ledger: kept beside its files when it has a `judged` folder (read
    from there if it matches the files and the rulebook, else judged and written there)."""
    files = ledger_files(source)
    if source.judged is None or files is None:
        return judge(source, rulebook, engine, tell)
    tell("checking the ledger's checksums")
    key = cache_key(files, rulebook, source.judged)
    folder = source.judged / key
    if not source.rejudge and (folder / "meta.json").exists():
        tell("reading the judged ledger")
        return load(folder)
    judged = judge(source, rulebook, engine, tell)
    tell("writing the judged ledger")
    save(judged, folder, {"format": FORMAT, "key": key, "files": [f.name for f in files]})
    return judged


# The fold -----------------------------------------------------------------------------------


def column_array(table: pa.Table, name: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """A column as an array: without a copy when it is one chunk of that type (as a judged
    ledger read back from its file is), so a memory-mapped ledger is folded where it lies."""
    column = table.column(name)
    whole = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    out = np.asarray(whole.to_numpy(zero_copy_only=False))
    if dtype is np.bool_ and out.dtype == np.int8:
        return out.view(np.bool_)
    return out if out.dtype == dtype else out.astype(dtype)


def points_array(table: pa.Table, name: str) -> npt.NDArray[Any]:
    """A points column as it was written: 32 bits where every value fits, else 64."""
    return column_array(
        table, name, np.int64 if table.column(name).type == pa.int64() else np.int32
    )


def subject_starts(subject: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """The first row of each subject (every number from 0 has rows, in order)."""
    if subject.size == 0:
        return np.zeros(0, np.int64)
    return np.concatenate([[0], np.flatnonzero(subject[1:] != subject[:-1]) + 1]).astype(np.int64)


FOLDED_RECORDS: dict[str, tuple[str, type[np.generic]]] = {
    "occurred": ("occurred", np.int32),
    "expires": ("expires", np.int32),
    "pack": ("pack", np.int16),
    "rule": ("rule", np.int32),
    "fate": ("fate", np.int8),
    "disputed": ("disputed", np.bool_),
    "case": ("case_no", np.int32),
    "place": ("place", np.int32),
}
"""What the fold reads of the judged records besides their subject and points: each array of
`JudgedRecords` by the column it is read from and its type."""

FOLDED_LISTS: dict[str, tuple[str, type[np.generic]]] = {
    "list": ("list", np.int32),
    "pack": ("pack", np.int16),
    "since": ("since", np.int32),
    "days": ("days", np.int32),
    "repaired": ("repaired", np.int32),
    "disputed": ("disputed", np.bool_),
}
"""The same of the judged list entries (`JudgedLists`)."""


def _subjects(table: pa.Table, first: int) -> npt.NDArray[np.int32]:
    subject = column_array(table, "subject", np.int32)
    return (subject - first).astype(np.int32) if first else subject


def records_arrays(table: pa.Table, versions: int, first: int = 0) -> JudgedRecords:
    """The judged records' columns as arrays, their subjects numbered from `first` (a part of
    the judged ledger folds with its subjects numbered from its own first)."""
    subject = _subjects(table, first)
    return JudgedRecords(
        subject=subject,
        starts=subject_starts(subject),
        points=tuple(points_array(table, c) for c in points_columns(versions)),
        **{name: column_array(table, c, t) for name, (c, t) in FOLDED_RECORDS.items()},
    )


def lists_arrays(table: pa.Table, first: int = 0) -> JudgedLists:
    """The judged list entries' columns as arrays, their subjects numbered from `first`."""
    return JudgedLists(
        subject=_subjects(table, first),
        **{name: column_array(table, c, t) for name, (c, t) in FOLDED_LISTS.items()},
    )


PART_ROWS = 4_000_000  # records a part of a large fold holds, at most (about 150 MB of columns)


class Folder:
    """A judged ledger held as arrays, folded for any date (`on`)."""

    def __init__(
        self, judged: JudgedLedger, rulebook: Rulebook, *, threads: int | None = None
    ) -> None:
        self.threads = threads if threads is not None else (os.cpu_count() or 1)
        self.judged = judged
        self.rulebook = rulebook
        self.numbering = Numbering.of(rulebook)
        r, li = judged.records, judged.lists
        self.records = records_arrays(r, self.numbering.versions)
        self.lists = lists_arrays(li)
        places = judged.places.to_pylist()
        self.places = [(p["region"], p["kind"]) for p in places]

    def on(self, as_of: date, *, detail: bool = False) -> Recomputed:
        day = Day.on(self.rulebook, self.numbering, self.places, as_of)
        f = self._folded(day, detail=detail)
        histories = list(self.rulebook.packs.values())
        result = Recomputed(as_of, staged.SCORES_SCHEMA.empty_table(), pa.table({}), None)
        version_no = np.zeros(len(histories) + 1, np.int32)
        for p, h in enumerate(histories):
            if day.version[p] >= 0:
                v = h.versions[int(day.version[p])]
                result.versions[h.id] = (v.version, v.checksum)
                version_no[p] = v.version
        pack_ids = pa.array([*self.numbering.packs, None], pa.string())
        known = np.flatnonzero(f.known)
        subject_ids = self.judged.subjects.column("subject_id")
        result.scores = pa.table(
            {
                "subject_id": subject_ids.take(known),
                "score": pa.array(f.score[known], pa.int64()),
                "tier": pa.array(day.tier_names, pa.string()).take(f.tier[known])
                if known.size
                else pa.array([], pa.string()),
                "valid_until": _dates(f.valid_until[known]),
                "pack": _names(pack_ids, f.pack[known]),
                "version": pa.array(version_no[f.pack[known]], pa.int32()),
            },
            schema=staged.SCORES_SCHEMA,
        )
        rows = np.flatnonzero(f.open)
        li = self.lists
        result.entries = pa.table(
            {
                "subject_id": subject_ids.take(li.subject[rows]),
                "list_id": pa.array(self.numbering.lists, pa.string()).take(li.list[rows])
                if rows.size
                else pa.array([], pa.string()),
                "record_id": self.judged.lists.column("record_id").take(rows),
                "since": _dates(li.since[rows]),
                "until": _dates(f.until[rows]),
                "pack": _names(pack_ids, li.pack[rows]),
            },
            schema=staged.LIST_ENTRIES_SCHEMA,
        )
        result.unjudged = self._unjudged(f.known, f.place, f.pack, subject_ids)
        result.records = int(self.records.subject.size)
        if detail:
            result.contributions = self._verdicts(f, subject_ids)
            places = self.judged.places
            result.standing = pa.table(
                {
                    "subject_id": subject_ids.take(known),
                    "region": places.column("region").take(f.place[known]),
                    "kind": places.column("kind").take(f.place[known]),
                }
            )
        return result

    def folded(self, day: Day, *, detail: bool = False) -> Folded:
        """The fold's answer on a day, before it is put into tables (what `on` returns)."""
        return self._folded(day, detail=detail)

    def _folded(self, day: Day, *, detail: bool) -> Folded:
        """The fold itself: here, over the arrays in this process (`SparkFolder` shares it out).
        A large ledger folds in parts of whole subjects, one thread a core (NumPy lets go of
        the interpreter inside its loops), so its working arrays are those of a part at a
        time."""
        rows = self.records.subject.size
        count = max(self.threads, -(-rows // PART_ROWS))
        if self.threads < 2 or rows < 2 * PART_ROWS:
            return fold(self.records, self.lists, day, detail=detail)
        parts = parts_of(self.records, self.lists, count)
        with ThreadPoolExecutor(self.threads, thread_name_prefix="credo-fold") as pool:
            answers = list(pool.map(lambda p: fold(p.records, p.lists, day, detail=detail), parts))
        return joined(parts, answers, self.lists)

    def _unjudged(
        self,
        known: npt.NDArray[np.bool_],
        place: npt.NDArray[np.int32],
        pack: npt.NDArray[np.int32],
        subject_ids: pa.ChunkedArray,
    ) -> pa.Table:
        rows = []
        for s in np.flatnonzero(~known).tolist():
            region, kind = self.places[int(place[s])]
            p = int(pack[s])
            pack_id = self.numbering.packs[p] if p >= 0 else None
            reason = (
                f"no pack governs {kind}s in {region}"
                if pack_id is None
                else f"pack {pack_id} has no version in force"
            )
            rows.append(
                {
                    "subject_id": subject_ids[s].as_py(),
                    "region": region,
                    "kind": kind,
                    "pack": pack_id,
                    "reason": reason,
                }
            )
        return pa.Table.from_pylist(rows, schema=staged.UNJUDGED_SCHEMA)

    def _verdicts(self, f: Folded, subject_ids: pa.ChunkedArray) -> pa.Table:
        r = self.records
        assert f.reason is not None
        assert f.points is not None
        assert f.counted is not None
        rows = np.flatnonzero((f.reason != LATER) & f.known[r.subject])
        rule_ids = pa.array([*self.numbering.rule_ids, None], pa.string())
        reasons = pa.array(list(REASONS), pa.string())
        return pa.table(
            {
                "record_id": self.judged.records.column("record_id").take(rows),
                "subject_id": subject_ids.take(r.subject[rows]),
                "rule": _names(rule_ids, r.rule[rows]),
                "points": pa.array(f.points[rows], pa.int64()),
                "expires_on": _dates(r.expires[rows]),
                "reason": reasons.take(f.reason[rows]),
                "counted": pa.array(f.counted[rows], pa.int64()),
            }
        )


def _names(names: pa.Array, numbers: npt.NDArray[Any]) -> pa.Array:
    """`names[numbers]`, where number -1 (none) takes the last name, which is NULL."""
    return names.take(np.where(numbers < 0, len(names) - 1, numbers))


def _dates(days: npt.NDArray[Any]) -> pa.Array:
    """Day numbers as dates, NEVER as NULL (a mask given to `pa.array` would import numpy.ma,
    a quarter of a second)."""
    numbers = pa.array(days.astype(np.int32), pa.int32())
    never = pc.equal(numbers, pa.scalar(NEVER, pa.int32()))
    return pc.if_else(never, pa.scalar(None, pa.int32()), numbers).cast(pa.date32())


class FoldEngine:
    """`threads`, `memory_limit` and `temp_directory` are the judge's DuckDB settings."""

    name = "fold"

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        self.duckdb = DuckDbEngine(
            threads=threads, memory_limit=memory_limit, temp_directory=temp_directory
        )

    def judged(
        self, source: LedgerSource, rulebook: Rulebook, progress: Progress | None = None
    ) -> JudgedLedger:
        return judged_ledger(source, rulebook, self.duckdb, progress or (lambda _stage: None))

    def recompute(
        self,
        source: LedgerSource,
        rulebook: Rulebook,
        as_of: date,
        *,
        detail: bool = False,
        progress: Progress | None = None,
    ) -> Recomputed:
        started = time.perf_counter()
        tell = progress or (lambda _stage: None)
        result = self.fold(self.judged(source, rulebook, tell), rulebook, as_of, detail, tell)
        result.seconds = time.perf_counter() - started
        return result

    def fold(
        self, judged: JudgedLedger, rulebook: Rulebook, as_of: date, detail: bool, tell: Progress
    ) -> Recomputed:
        """The judged ledger folded for `as_of`: here, in this process."""
        tell("folding")
        return Folder(judged, rulebook).on(as_of, detail=detail)
