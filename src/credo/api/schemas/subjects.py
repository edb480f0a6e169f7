"""What a subject reads about itself: its score and the explanation of SPEC §6."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from credo.domain.scoring.explanation import Explanation
from credo.domain.scoring.lists import ListEntry
from credo.domain.scoring.score import Assessment
from credo.domain.scoring.score import Reason as ExclusionReason
from credo.services.rating.explanation_json import explanation_json


class ListEntryRead(BaseModel):
    list: str = Field(description="The list's id.")
    kind: str = Field(description="`black` or `red`.")
    record_id: str = Field(description="The record that put the subject on it.")
    since: date = Field(description="The first day on the list.")
    until: date = Field(description="The first day off it.")
    repaired_by: str | None = Field(
        default=None, description="The record that ended the entry early, if one did."
    )

    @classmethod
    def of(cls, e: ListEntry) -> ListEntryRead:
        return cls(
            list=e.list_id,
            kind=e.kind,
            record_id=e.record.record_id,
            since=e.since,
            until=e.until,
            repaired_by=e.repaired_by,
        )


class Scored(BaseModel):
    """What a score and its explanation both say."""

    subject: str = Field(description="The subject's id.")
    as_of: date = Field(description="The date the score is for.")
    pack: str = Field(
        description="The rulebook (pack) governing the subject on `as_of`: its base, bounds "
        "and tiers apply."
    )
    pack_version: int = Field(description="Its version in force on `as_of`.")
    pack_checksum: str = Field(description="That version's checksum.")
    base: int = Field(description="The score with no records.")
    score: int = Field(description="The score (SPEC §4.5).")
    tier: str = Field(description="The tier the score falls in.")
    lists: list[ListEntryRead] = Field(description="List entries open on `as_of`.")


class ScoreRead(Scored):
    @classmethod
    def of(cls, a: Assessment) -> ScoreRead:
        return cls(
            subject=a.subject_id,
            as_of=a.as_of,
            pack=a.version.id,
            pack_version=a.version.version,
            pack_checksum=a.version.checksum,
            base=a.base,
            score=a.score,
            tier=a.tier,
            lists=[ListEntryRead.of(e) for e in a.lists],
        )


class ContributionRead(BaseModel):
    record_id: str = Field(description="The record's id.")
    source: str = Field(description="Who reported it.")
    source_ref: str = Field(description="Their reference for it.")
    type: str = Field(description="Its record type.")
    rule: str = Field(description="The rule that gives its points.")
    points: int = Field(description="What it counts for on `as_of`.")
    occurred_at: date = Field(description="When it happened.")
    expires_on: date | None = Field(description="The first day it no longer counts.")
    leaf_index: int | None = Field(
        default=None,
        description="The record's place in the audit log: its proof is "
        "`GET /v1/audit/proof/inclusion?leaf_index=…&tree_size=…`.",
    )
    points_then: int | None = Field(
        default=None, description="Its points when it occurred, if a milder rule now applies."
    )
    capped_by: str | None = Field(default=None, description="The cap that reduced it, if any.")
    case_ref: str | None = Field(default=None, description="Its case, if it has one.")
    pack: str | None = Field(
        default=None,
        description="The pack that judged it, when not the subject's: the one governing the "
        "region where the subject was when it occurred.",
    )


class ExclusionRead(BaseModel):
    record_id: str = Field(description="The record's id.")
    source: str = Field(description="Who reported it.")
    source_ref: str = Field(description="Their reference for it.")
    type: str = Field(description="Its record type.")
    occurred_at: date = Field(description="When it happened.")
    reason: ExclusionReason = Field(description="Why it does not count.")
    leaf_index: int | None = Field(
        default=None,
        description="The record's place in the audit log: its proof is "
        "`GET /v1/audit/proof/inclusion?leaf_index=…&tree_size=…`.",
    )
    rule: str | None = Field(default=None, description="The rule it matched, if any.")
    merged_into: str | None = Field(
        default=None, description="For `merged`: the record of the same case that counts."
    )
    pack: str | None = Field(
        default=None, description="The pack that judged it, when not the subject's."
    )


class NextChangeRead(BaseModel):
    on: date = Field(description="The next day the score or tier changes by time alone.")
    score: int = Field(description="The score from that day.")
    tier: str = Field(description="The tier from that day.")


class ExplanationRead(Scored):
    contributions: list[ContributionRead] = Field(description="Every record that counts.")
    excluded: list[ExclusionRead] = Field(description="Every record that does not, and why.")
    next_change: NextChangeRead | None = Field(
        description="When the score next changes if nothing new is recorded; null if never."
    )

    @classmethod
    def of(cls, e: Explanation) -> ExplanationRead:
        return cls.model_validate(explanation_json(e))
