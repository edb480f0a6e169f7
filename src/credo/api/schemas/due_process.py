"""Notices, objections, decisions, withdrawals and the change feed on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from credo.adapters.stores.feeds import DecisionChange
from credo.api.schemas.common import Wire
from credo.domain.due_process.objections import Objection, Ruling, State
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.ids import RECORD_ID_PATTERN
from credo.domain.scoring.measures import Answer


class NoticeRead(BaseModel):
    notice: int = Field(description="The notice's number in the ledger.")
    at: datetime = Field(description="When it was issued.")
    about: Literal["record", "decision"] = Field(
        description="`record`: a record that costs points, lists or brings a measure; "
        "`decision`: the answer to an objection, or its closing as moot when the record was "
        "withdrawn."
    )
    subject_id: str = Field(description="To whom.")
    record_id: str = Field(description="The record it is about: what an objection names.")
    record: dict[str, Any] = Field(description="The record, with its source and evidence.")
    points: int | None = Field(default=None, description="What it costs (record notices).")
    rule: str | None = Field(default=None, description="The rule that gave the points.")
    basis: str | None = Field(default=None, description="The law the rule rests on.")
    expires_on: date | None = Field(default=None, description="When it stops counting.")
    lists: list[dict[str, Any]] = Field(default=[], description="List entries it opened.")
    measures: list[dict[str, Any]] = Field(default=[], description="Measures it started.")
    objection: dict[str, Any] | None = Field(
        default=None, description="`deadline` (last day to object) and `how`."
    )
    decision: dict[str, Any] | None = Field(
        default=None,
        description="`objection_id`, `outcome` (`upheld`, `overturned`, or `moot`: closed by "
        "the record's withdrawal, `note` then being the withdrawal's reason), `note`, "
        "`decided_on`, `effect`.",
    )


class NoticesPage(BaseModel):
    items: list[NoticeRead] = Field(description="Notices, oldest first.")
    next: int | None = Field(description="Pass as `after` for the next page; null at the end.")


class ObjectionCreate(Wire):
    record_id: str = Field(pattern=RECORD_ID_PATTERN, description="The record contested.")
    reason: str = Field(min_length=1, max_length=4000, description="Why it is wrong.")


class DecisionCreate(Wire):
    # `moot` is not a reviewer's to choose: only a withdrawal closes an objection so.
    outcome: Ruling = Field(
        description="`overturned`: the record stops counting at every date; `upheld`: it stands."
    )
    note: str = Field(min_length=1, max_length=4000, description="The reviewer's reasons.")


class WithdrawalCreate(Wire):
    reason: str = Field(min_length=1, max_length=4000, description="Why it is withdrawn.")


class ObjectionRead(BaseModel):
    objection_id: str = Field(description="The objection: its record's id, `-o` and a number.")
    record_id: str = Field(description="The record contested.")
    subject_id: str = Field(description="The subject who objected.")
    reason: str = Field(description="Why, in the subject's words.")
    filed_at: datetime = Field(description="When it was filed.")
    state: State = Field(
        description="Where it stands: `moot` when the record was withdrawn while it was open."
    )
    review_by: date = Field(description="The last day of the review period.")
    days_left: int = Field(description="Days of the review period left; negative when overdue.")
    overdue: bool = Field(description="Open past its review period.")
    note: str | None = Field(
        default=None,
        description="The reviewer's reasons, once decided; the withdrawal's reason when moot.",
    )
    decided_by: str | None = Field(
        default=None, description="The reviewer who decided; who withdrew the record when moot."
    )
    decided_at: datetime | None = Field(default=None, description="When it was decided.")

    @classmethod
    def of(cls, o: Objection, today: date) -> ObjectionRead:
        return cls(
            objection_id=o.objection_id,
            record_id=o.record_id,
            subject_id=o.subject_id,
            reason=o.reason,
            filed_at=o.filed_at,
            state=o.state,
            review_by=o.review_by,
            days_left=o.days_left(today),
            overdue=o.overdue(today),
            note=o.note,
            decided_by=o.decided_by,
            decided_at=o.decided_at,
        )


class ObjectionsPage(BaseModel):
    items: list[ObjectionRead] = Field(description="Objections, oldest first.")
    overdue: int = Field(description="How many of these are open past their review period.")


class WithdrawalRead(BaseModel):
    record_id: str = Field(description="The record withdrawn.")
    withdrawn_at: datetime = Field(description="When.")
    by: str = Field(description="The provider that withdrew it.")
    reason: str = Field(description="Why.")

    @classmethod
    def of(cls, e: Entry, reason: str) -> WithdrawalRead:
        return cls(record_id=e.record_id, withdrawn_at=e.at, by=e.actor, reason=reason)


class ChangeRead(BaseModel):
    seq: int = Field(description="The change's number: pass the last as `after`.")
    subject: str = Field(description="The subject whose decision changed.")
    context: str = Field(description="In which context.")
    decision: Answer = Field(description="The decision now.")
    as_of: date = Field(description="The day the decision changed.")
    recheck_on: date | None = Field(
        description="The first day it may change by time alone (a list entry ending, a record "
        "expiring); null if nothing is due."
    )

    @classmethod
    def of(cls, c: DecisionChange) -> ChangeRead:
        return cls(
            seq=c.seq or 0,
            subject=c.subject_id,
            context=c.context,
            decision="deny" if c.decision == "deny" else "allow",
            as_of=c.as_of,
            recheck_on=c.recheck_on,
        )


class ChangesPage(BaseModel):
    items: list[ChangeRead] = Field(description="Changes, oldest first.")
    next: int = Field(description="Pass as `after` to read on; the same value if nothing new.")
