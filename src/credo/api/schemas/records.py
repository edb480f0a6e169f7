"""`POST /v1/records`: one record or a list, and what became of each."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Discriminator, Field, Tag

from credo.api.schemas.common import (
    SubjectIdStr,
    SubmittedReference,
    Value,
    Wire,
)
from credo.domain.ledger.ids import DATE_PATTERN, NAME_PATTERN, REGION_PATTERN, SHA256_PATTERN
from credo.domain.ledger.references import REFERENCE_RULE
from credo.domain.ledger.subjects import SubjectKind
from credo.services.intake.records_api import ItemResult, ItemStatus

MAX_RECORDS = 1_000
"""The most records one request may carry."""


class SubjectRef(Wire):
    id: SubjectIdStr
    kind: SubjectKind = Field(description="What the subject is.")
    region: str = Field(pattern=REGION_PATTERN, description="A region code, e.g. `CN-SD-RC`.")


class EvidenceRef(Wire):
    uri: str = Field(
        pattern=r"^[a-z][a-z0-9+.-]*:[^\s\u0085]+$",
        max_length=2048,
        description="Where the evidence is kept.",
    )
    sha256: str = Field(pattern=SHA256_PATTERN, description="The evidence's SHA-256, hex.")


class RecordCreate(Wire):
    """One record (SPEC §2). Its shape is checked before anything else; whether the governing
    rulebook accepts it is judged record by record in the response."""

    subject: SubjectRef = Field(description="Whom the record is about.")
    type: str = Field(
        pattern=NAME_PATTERN, description="A record type the governing pack declares."
    )
    occurred_at: str = Field(
        pattern=DATE_PATTERN,
        description="When it happened, YYYY-MM-DD; not later than today.",
    )
    source: SubmittedReference | None = Field(
        default=None,
        description="The provider's id; when left out, the key's. Any other value is refused.",
    )
    source_ref: SubmittedReference = Field(
        description="The provider's own reference, e.g. `荣公交罚〔2026〕第0017号`: with `source`, "
        f"the idempotency key. `source`, `source_ref` and `case_ref` are {REFERENCE_RULE}; "
        "they are kept in NFC, and a record breaking the rule is rejected with its reason.",
    )
    attributes: dict[str, Value] = Field(
        default_factory=dict, description="Fields as the record type declares them."
    )
    evidence: EvidenceRef | None = Field(
        default=None, description="Required when the record's rule gives a penalty."
    )
    case_ref: SubmittedReference | None = Field(
        default=None,
        description="The case, e.g. `（2026）鲁1082执123号`: records of a subject "
        "sharing a case count once (SPEC §4.4). Required for the types whose pack says "
        "`case_ref: required`.",
    )

    def submitted(self) -> dict[str, Any]:
        """As the ingest format has it: fields left out stay out."""
        return self.model_dump(exclude_none=True)


def _shape(value: Any) -> str:
    # Tags name the alternative in error locations: `body.records.3.type`, `body.record.type`.
    return "records" if isinstance(value, list) else "record"


RecordsCreate = Annotated[
    Annotated[RecordCreate, Tag("record")]
    | Annotated[list[RecordCreate], Tag("records"), Field(min_length=1, max_length=MAX_RECORDS)],
    Discriminator(_shape),
]
"""One record, or a list of 1 to `MAX_RECORDS`."""


class RecordResult(BaseModel):
    index: int = Field(description="The record's position in the request, from 0.")
    status: ItemStatus = Field(
        description="`created`: appended now. `already present`: the same record was sent "
        "before. `conflict`: its key holds a different record; nothing written. `rejected`: "
        "not valid, see `reason`; nothing written."
    )
    record_id: str | None = Field(default=None, description="The record's id in the ledger.")
    reason: str | None = Field(default=None, description="Why it was rejected or conflicts.")

    @classmethod
    def of(cls, r: ItemResult) -> RecordResult:
        return cls(index=r.index, status=r.status, record_id=r.record_id, reason=r.reason)


class RecordsResult(BaseModel):
    created: int = Field(description="How many records were appended.")
    present: int = Field(description="How many were in the ledger already.")
    refused: int = Field(description="How many conflicted or were rejected.")
    results: list[RecordResult] = Field(description="One result per record, in order.")
