"""The rulebook format of SPEC §3 as pydantic models: what a pack file may say.

Semantic checks that span the whole pack (tiers, references, the lines of SPEC §5) live in
`credo.domain.pack_rules`; this module only says what shape each part has.
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from credo.domain.subjects import REGION_PATTERN, SubjectKind

Domain = Literal["judicial", "tax", "finance", "regulatory", "traffic", "contract", "civic"]
DOMAINS: tuple[str, ...] = Domain.__args__  # type: ignore[attr-defined]

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"]
OPS: tuple[str, ...] = Op.__args__  # type: ignore[attr-defined]

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
Basis = Annotated[str, Field(min_length=1, pattern=r"\S")]
Value = StrictBool | StrictInt | StrictFloat | StrictStr
NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(gt=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ScoreSpec(Strict):
    base: int
    floor: int | None = None
    ceiling: int | None = None


class Tier(Strict):
    name: Annotated[str, Field(min_length=1, max_length=16)]
    min: int | None


class ObjectionSpec(Strict):
    window_days: Positive = 30
    while_disputed: Literal["suspend", "keep"] = "suspend"
    review_days: Positive = 30


class FieldSpec(Strict):
    type: Literal["integer", "number", "string", "boolean"]
    min: int | float | None = None
    max: int | float | None = None
    enum: list[StrictStr] | None = None
    required: bool = True
    description: str | None = None


class RecordType(Strict):
    domain: Domain
    fields: dict[Name, FieldSpec] = {}
    description: str | None = None


# A `when` maps field names to tests ({op: value}), with `any: [when, ...]` for OR.
# Its structure is checked by `credo.domain.conditions`, which also gives it meaning.
When = dict[str, object]


class ScaledPoints(Strict):
    """`each` points per whole `step` of the field `per`. The step is a whole number so that
    every engine counts steps with the same arithmetic."""

    per: Name
    step: Positive
    each: int
    cap: int | None = None


class Rule(Strict):
    id: Name
    record: Name
    when: When = {}
    points: int | ScaledPoints
    valid_days: Positive | None = None
    basis: Basis
    description: str | None = None


class RecordMatch(Strict):
    record: Name
    when: When = {}


class ListSpec(Strict):
    id: Name
    kind: Literal["black", "red"]
    admit: RecordMatch
    duration_days: Positive
    repair: RecordMatch | None = None
    public: bool = False
    basis: Basis
    description: str | None = None


class MeasureWhen(Strict):
    list: Name | None = None
    tier: builtins.list[str] | None = None


class Measure(Strict):
    id: Name
    context: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
    effect: Literal["deny", "grant"]
    terms: dict[Name, Value] = {}
    when: MeasureWhen
    basis: Basis
    description: str | None = None


class Cap(Strict):
    """At most `max` points in all from the named reward rules among the records counting on a
    date: with `valid_days: 365` on those rules this is "at most `max` a year"."""

    id: Name
    rules: Annotated[list[Name], Field(min_length=1)]
    max: Positive
    basis: Basis


class Pack(Strict):
    pack: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
    version: Positive
    effective_from: date
    jurisdiction: Annotated[str, Field(pattern=REGION_PATTERN)]
    subject_kinds: Annotated[list[SubjectKind], Field(min_length=1)]
    title: str | None = None
    score: ScoreSpec
    tiers: Annotated[list[Tier], Field(min_length=1)]
    objection: ObjectionSpec = ObjectionSpec()
    record_types: dict[Name, RecordType]
    rules: list[Rule] = []
    caps: list[Cap] = []
    lists: list[ListSpec] = []
    measures: list[Measure] = []
