"""The rulebook format of SPEC §3 as pydantic models: what a pack file may say.

Semantic checks that span the whole pack (tiers, references, the lines of SPEC §5) live in
`credo.domain.rules.pack_rules`; this module only says what shape each part has.
"""

from __future__ import annotations

import builtins
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from credo.domain.ledger.ids import REGION_PATTERN
from credo.domain.ledger.subjects import SubjectKind
from credo.domain.rules.fields import FieldType

Domain = Literal["judicial", "tax", "finance", "regulatory", "traffic", "contract", "civic"]
DOMAINS: tuple[str, ...] = Domain.__args__  # type: ignore[attr-defined]

Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"]
OPS: tuple[str, ...] = Op.__args__  # type: ignore[attr-defined]

WhileDisputed = Literal["suspend", "keep"]
CaseRef = Literal["required", "optional"]
ListKind = Literal["black", "red"]
Effect = Literal["deny", "grant"]

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
Basis = Annotated[str, Field(min_length=1, pattern=r"\S")]
Value = StrictBool | StrictInt | StrictFloat | StrictStr
Positive = Annotated[int, Field(gt=0)]

MAX_DAYS = 36_500
"""A hundred years: the longest a record may count or a list entry last (SPEC §3), and an
objection stay open or wait for its review. Beyond it a date plus the days may leave the
calendar, and nothing could be judged."""
Days = Annotated[int, Field(ge=1, le=MAX_DAYS)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """`'2026-01-01'` quoted is the date 2026-01-01, as it is unquoted (SPEC §3). Other text is
    left for the date type to refuse, so the author reads what a date looks like."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise PydanticCustomError(
            "date_value", "`{value}` is not a date: {reason}", {"value": value, "reason": str(e)}
        ) from None


PackDate = Annotated[date, BeforeValidator(_iso_date)]


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
    window_days: Days = 30
    while_disputed: WhileDisputed = "suspend"
    review_days: Days = 30


class FieldSpec(Strict):
    type: FieldType
    min: int | float | None = None
    max: int | float | None = None
    enum: list[StrictStr] | None = None
    required: bool = True
    description: str | None = None


class RecordType(Strict):
    domain: Domain
    fields: dict[Name, FieldSpec] = {}
    # `required`: intake rejects a record of this type without a case_ref. A list's repair
    # matches on the same subject and case_ref, so the records it admits and repairs on need one.
    case_ref: CaseRef = "optional"
    description: str | None = None

    @model_serializer(mode="wrap")
    def _without_default_case_ref(self, handler: SerializerFunctionWrapHandler) -> Any:
        # The default is left out, so that a pack that does not use `case_ref` keeps the
        # checksum (`credo.domain.rules.rulebook.checksum`) it had before the key existed.
        out = handler(self)
        if isinstance(out, dict) and out.get("case_ref") == "optional":
            del out["case_ref"]
        return out


# A `when` maps field names to tests ({op: value}), with `any: [when, ...]` for OR.
# Its structure is checked by `credo.domain.rules.conditions`, which also gives it meaning.
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
    valid_days: Days | None = None
    basis: Basis
    description: str | None = None


class RecordMatch(Strict):
    record: Name
    when: When = {}


class ListSpec(Strict):
    id: Name
    kind: ListKind
    admit: RecordMatch
    duration_days: Days
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
    effect: Effect
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
    effective_from: PackDate
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
