"""The fold in parts of whole subjects: the fold is exact per subject, so the judged ledger
folds part by part (side by side, or one after another in less memory), and the parts' answers
put together are the answer of the whole (`credo.adapters.engines.fold_engine.Folder` folds a
large ledger so, a thread a core)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from itertools import pairwise
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from credo.domain.scoring.fold import Folded
from credo.domain.scoring.judged import Ints, JudgedLists, JudgedRecords

_Columns = TypeVar("_Columns", JudgedRecords, JudgedLists)


@dataclass(frozen=True)
class Part:
    """Whole subjects of the judged ledger (`subjects`, `rows` its records, `list_rows` its list
    rows), with their columns as a judged ledger of their own, subjects numbered from 0."""

    subjects: slice
    rows: slice
    list_rows: Ints
    records: JudgedRecords
    lists: JudgedLists


def parts_of(j: JudgedRecords, lists: JudgedLists, count: int) -> list[Part]:
    """The judged ledger in `count` parts of whole subjects and about as many records each."""
    n, subjects = j.subject.size, j.starts.size
    cuts = np.unique(np.searchsorted(j.starts, np.linspace(0, n, count + 1)[1:-1], side="left"))
    bounds = [0, *(int(c) for c in cuts if 0 < c < subjects), subjects]
    order = np.argsort(lists.subject, kind="stable")
    by_subject = lists.subject[order]
    out: list[Part] = []
    for s0, s1 in pairwise(bounds):
        r0 = int(j.starts[s0])
        rows = slice(r0, int(j.starts[s1]) if s1 < subjects else n)
        at = order[np.searchsorted(by_subject, s0) : np.searchsorted(by_subject, s1)]
        records = replace(
            _taken(j, rows),
            subject=j.subject[rows] - np.int32(s0),
            starts=j.starts[s0:s1] - r0,
            points=tuple(p[rows] for p in j.points),
        )
        part_lists = replace(_taken(lists, at), subject=lists.subject[at] - np.int32(s0))
        out.append(Part(slice(s0, s1), rows, at, records, part_lists))
    return out


def _taken(columns: _Columns, rows: slice | Ints) -> _Columns:
    """Every array column of `columns` at `rows` (the points, a tuple, as they are)."""
    return replace(
        columns,
        **{
            f.name: getattr(columns, f.name)[rows]
            for f in fields(columns)
            if isinstance(getattr(columns, f.name), np.ndarray) and f.name != "starts"
        },
    )


def joined(parts: list[Part], answers: list[Folded], lists: JudgedLists) -> Folded:
    """The parts' answers as the answer of the whole, in the whole's order."""

    def whole(name: str) -> npt.NDArray[Any]:
        return np.concatenate([getattr(a, name) for a in answers])

    open_ = np.zeros(lists.subject.size, np.bool_)
    until = np.zeros(lists.subject.size, np.int64)
    for part, answer in zip(parts, answers, strict=True):
        open_[part.list_rows] = answer.open
        until[part.list_rows] = answer.until
    detail = all(a.reason is not None for a in answers)
    return Folded(
        whole("known"),
        whole("pack"),
        whole("place"),
        whole("score"),
        whole("tier"),
        whole("valid_until"),
        open_,
        until,
        whole("reason") if detail else None,
        whole("points") if detail else None,
        whole("counted") if detail else None,
    )
