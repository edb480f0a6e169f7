"""`POST /v1/checks` and the log of checks a subject reads."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from credo.adapters.stores.access import LoggedCheck
from credo.api.schemas.common import ContextStr, SubjectIdStr, Value, Wire
from credo.domain.rules.packs import Effect
from credo.domain.scoring.measures import Answer, Decision


class CheckRequest(Wire):
    subject: SubjectIdStr
    context: ContextStr


class ReasonRead(BaseModel):
    measure: str = Field(description="The measure applied.")
    effect: Effect = Field(description="What it does.")
    trigger: dict[str, str | int] = Field(
        description="What made it apply: a list entry (`list`, `record_id`, `since`, `until`) "
        "or a tier (`tier`, `score`)."
    )
    basis: str = Field(description="The law or decision it rests on.")
    objection: str = Field(
        description="How the subject can object: for a list entry, to its record, with the last "
        "day to (the window runs from the record's first notice, SPEC §4.10), or that it closed."
    )


class CheckRead(BaseModel):
    subject: str = Field(description="The subject checked.")
    context: str = Field(description="The context checked in.")
    decision: Answer = Field(description="`deny` if any measure applied denies.")
    terms: dict[str, Value] = Field(description="The grants' terms, merged in pack order.")
    reasons: list[ReasonRead] = Field(description="Every measure applied, with its reason.")
    as_of: date = Field(description="The date the decision is for: today.")

    @classmethod
    def of(cls, d: Decision) -> CheckRead:
        return cls(
            subject=d.subject_id,
            context=d.context,
            decision=d.decision,
            terms=d.terms,
            reasons=[
                ReasonRead(
                    measure=r.measure,
                    effect=r.effect,
                    trigger=r.trigger,
                    basis=r.basis,
                    objection=r.objection,
                )
                for r in d.reasons
            ],
            as_of=d.as_of,
        )


class LoggedCheckRead(BaseModel):
    seq: int = Field(description="The check's number in the log.")
    at: datetime = Field(description="When it was answered.")
    consumer: str = Field(description="Who asked.")
    context: str = Field(description="In which context.")
    as_of: date = Field(description="The date the answer was for.")
    decision: Answer = Field(description="What they were told.")
    terms: dict[str, Value] = Field(description="The terms they were told.")
    measures: list[str] = Field(description="The measures that applied.")

    @classmethod
    def of(cls, c: LoggedCheck) -> LoggedCheckRead:
        return cls(
            seq=c.seq or 0,
            at=c.at,
            consumer=c.consumer,
            context=c.context,
            as_of=c.as_of,
            decision=c.decision,
            terms=c.terms,
            measures=list(c.measures),
        )


class ChecksPage(BaseModel):
    items: list[LoggedCheckRead] = Field(description="Checks about the subject, newest first.")
    next: int | None = Field(
        description="Pass as `before` for the next page; null on the last one."
    )
