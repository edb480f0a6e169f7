"""Wire models of the rulebook's diffs and proposals (`GET /v1/rulebook/{pack}/diff`,
`GET /v1/rulebook/proposals`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from credo.domain.rules.pack_diff import PackDiff, diff_json
from credo.services.packs.proposals import ProposalView


class VersionRef(BaseModel):
    version: int = Field(description="The pack version.")
    effective_from: date = Field(description="The day it takes effect.")


class Moved(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: int = Field(alias="from", description="Its place before, 1 the first.")
    to: int = Field(description="Its place after.")


class FieldChangeRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    field: str = Field(description="The key of the part that changed.")
    from_: Any = Field(alias="from", description="Its value before; null where it had none.")
    to: Any = Field(description="Its value after; null where it has none.")


class ChangeRead(BaseModel):
    part: str = Field(description="pack, score, objection, tier, record_type, rule, cap, list "
                      "or measure.")  # fmt: skip
    id: str = Field(description="The part's id (a tier's name).")
    change: str = Field(description="added, removed, changed or moved.")
    record: str | None = Field(
        default=None, description="A rule's record type: first hit is among its rules."
    )
    moved: Moved | None = Field(
        default=None, description="A rule's or tier's place, before and after."
    )
    fields: list[FieldChangeRead] = Field(description="What changed in it.")


class PackDiffRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    pack: str = Field(description="The pack.")
    from_: VersionRef = Field(alias="from", description="The older version.")
    to: VersionRef = Field(description="The newer version.")
    identical: bool = Field(description="Whether nothing changed.")
    changes: list[ChangeRead] = Field(description="Every change, in the pack file's order.")

    @classmethod
    def of(cls, d: PackDiff) -> PackDiffRead:
        return cls.model_validate(diff_json(d))


class ProposalRead(BaseModel):
    proposal_id: int = Field(description="The proposal's number.")
    pack: str = Field(description="The pack it proposes a version of.")
    version: int = Field(description="The version proposed.")
    effective_from: date = Field(description="The day it would take effect.")
    checksum: str = Field(description="The proposed version's checksum.")
    proposed_at: datetime = Field(description="When it was proposed.")
    adopted_at: datetime | None = Field(description="When it was adopted as proposed; null if not.")
    source: str = Field(description="The pack file as proposed.")
    report: dict[str, Any] = Field(
        description="Its simulation report, as `credo simulate --json` prints it, published: "
        "no cell under 10 subjects."
    )
    diff: PackDiffRead | None = Field(
        description="What it changes from the adopted version before it; null for a new pack."
    )

    @classmethod
    def of(cls, v: ProposalView) -> ProposalRead:
        p = v.stored
        return cls(
            proposal_id=p.proposal_id,
            pack=p.pack_id,
            version=p.version,
            effective_from=p.effective_from,
            checksum=p.checksum,
            proposed_at=p.proposed_at,
            adopted_at=p.adopted_at,
            source=p.source,
            report=v.report,
            diff=PackDiffRead.of(v.diff) if v.diff is not None else None,
        )


class ProposalsRead(BaseModel):
    items: list[ProposalRead] = Field(description="Every proposal, the newest first.")
