"""What the wire models share: strict request models and the id patterns of SPEC §1."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from credo.domain.subjects import ID_PATTERN

REF_PATTERN = r"^[A-Za-z0-9._:/-]{1,128}$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"

SEQ_MAX = 2**63 - 1
"""The largest sequence number a database column holds: a paging cursor is bounded by it."""

SubjectIdStr = Annotated[str, Field(pattern=ID_PATTERN, description="A subject id.")]
ContextStr = Annotated[
    str, Field(pattern=NAME_PATTERN, description="A context, e.g. `rail.high-speed-ticket`.")
]
Value = StrictBool | StrictInt | StrictFloat | StrictStr


def _written_as_a_date(value: object) -> object:
    # Lax parsing would read `0` as 1970-01-01 (a Unix time); a date is written YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_written_as_a_date)]


class Wire(BaseModel):
    """A request body: exactly these fields, of exactly these JSON types."""

    model_config = ConfigDict(extra="forbid", strict=True)
