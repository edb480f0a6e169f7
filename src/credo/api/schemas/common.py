"""What the wire models share: strict request models and the id patterns of SPEC §1."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)
from pydantic_core import PydanticCustomError

from credo.domain.ledger.ids import DATE_PATTERN, ID_PATTERN, NAME_PATTERN
from credo.domain.ledger.references import MAX_LENGTH, NotAReference, reference, reference_pattern

SEQ_MAX = 2**63 - 1
"""The largest sequence number a database column holds: a paging cursor is bounded by it."""

SubjectIdStr = Annotated[str, Field(pattern=ID_PATTERN, description="A subject id.")]
ContextStr = Annotated[
    str, Field(pattern=NAME_PATTERN, description="A context, e.g. `rail.high-speed-ticket`.")
]
Value = StrictBool | StrictInt | StrictFloat | StrictStr


def _as_reference(value: str) -> str:
    try:
        return reference(value)
    except NotAReference as e:
        raise PydanticCustomError("reference", "{reason}", {"reason": str(e)}) from None


Reference = Annotated[
    str,
    # The pattern states the rule for clients and schema-driven tests; `reference` applies the
    # same rule, and says what is wrong where a mismatch could only quote the pattern.
    Field(
        min_length=1,
        max_length=MAX_LENGTH,
        json_schema_extra={"pattern": reference_pattern()},
    ),
    AfterValidator(_as_reference),
]
"""An id that follows the rule of references (SPEC §2), in any script; taken in NFC."""

SubmittedReference = Annotated[
    str, AfterValidator(lambda value: unicodedata.normalize("NFC", value))
]
"""A submitted record's source, source_ref or case_ref, in NFC. Its rule is judged with the rest
of the record, by intake, so a bad one refuses that record and not the others sent with it."""


def _written_as_a_date(value: object) -> object:
    # Lax parsing would read `0` as 1970-01-01 (a Unix time); a date is written YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(DATE_PATTERN, value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_written_as_a_date)]


class Wire(BaseModel):
    """A request body: exactly these fields, of exactly these JSON types."""

    model_config = ConfigDict(extra="forbid", strict=True)
