"""Subjects: the people and organisations that records are about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from credo.domain.errors import article
from credo.domain.ledger.ids import ID_PATTERN

SubjectKind = Literal["person", "organisation"]
SUBJECT_KINDS: tuple[str, ...] = get_args(SubjectKind)

_ID = re.compile(ID_PATTERN)


def is_valid_id(value: str) -> bool:
    return bool(_ID.match(value))


@dataclass(frozen=True, slots=True)
class Subject:
    id: str
    kind: SubjectKind
    region: str


def governs(jurisdiction: str, region: str) -> bool:
    """A jurisdiction governs a region equal to it or below it, segment by segment.

    `CN` governs `CN-SD-RC`; `CN-S` does not, because prefixes are whole segments.
    """
    return region == jurisdiction or region.startswith(jurisdiction + "-")


def kind_changed(known: Subject, given: Subject) -> str | None:
    """Why a record naming `given` cannot be about the subject known as `known`, if it cannot:
    a subject's kind never changes (SPEC §1). Its region may: subjects move."""
    if known.kind == given.kind:
        return None
    return (
        f"subject: {known.id} is recorded as {article(known.kind)}, not {article(given.kind)}; "
        "a subject's kind never changes"
    )
