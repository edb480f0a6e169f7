"""Records: evidence-backed facts about one subject, from one provider. Never updated."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from credo.domain.ledger.subjects import Subject
from credo.domain.rules.fields import Scalar


@dataclass(frozen=True, slots=True)
class Evidence:
    uri: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Record:
    subject: Subject
    type: str
    occurred_at: date
    source: str
    source_ref: str
    attributes: Mapping[str, Scalar] = field(default_factory=dict)
    evidence: Evidence | None = None
    case_ref: str | None = None
    record_id: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "record_id", record_id_for(self.source, self.source_ref))

    def to_json(self) -> dict[str, Any]:
        """The ingest format of SPEC §2, the form records are stored and exchanged in."""
        out: dict[str, Any] = {
            "subject": {
                "id": self.subject.id,
                "kind": self.subject.kind,
                "region": self.subject.region,
            },
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "source": self.source,
            "source_ref": self.source_ref,
            "attributes": dict(self.attributes),
        }
        if self.evidence is not None:
            out["evidence"] = {"uri": self.evidence.uri, "sha256": self.evidence.sha256}
        if self.case_ref:
            out["case_ref"] = self.case_ref
        return out

    def fingerprint(self) -> str:
        """A hash of the content, to tell a replay (same) from a conflict (different)."""
        body = orjson.dumps(self.to_json(), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(body).hexdigest()


def record_id_for(source: str, source_ref: str) -> str:
    """A record's id follows from its idempotency key, so every store and engine agrees on it
    and the order of ingestion cannot change a tie-break that uses it (SPEC §4.4). MD5 is used
    as a name, not for security: every engine (DuckDB, Spark, PostgreSQL) computes it natively."""
    digest = hashlib.md5(f"{source}\x1f{source_ref}".encode(), usedforsecurity=False).hexdigest()
    return f"r{digest[:24]}"


@dataclass(frozen=True, slots=True)
class RecordStatus:
    """What the ledger knows now about a record, from the entries that refer to it."""

    withdrawn: bool = False
    overturned: bool = False
    disputed: bool = False


ACTIVE = RecordStatus()


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """A record together with its current status: the input of scoring."""

    record: Record
    status: RecordStatus = ACTIVE
