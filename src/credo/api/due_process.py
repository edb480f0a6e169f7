"""Routes for due process: notices, objections and their review, withdrawals, and the feed of
changed decisions (SPEC §4, §7)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query

from credo.api.deps import ReaderDep, StateDep, SubjectId, role
from credo.api.problems import responses
from credo.api.schemas.common import SEQ_MAX
from credo.api.schemas.due_process import (
    OBJECTION_ID,
    RECORD_ID,
    ChangeRead,
    ChangesPage,
    DecisionCreate,
    NoticeRead,
    NoticesPage,
    ObjectionCreate,
    ObjectionRead,
    ObjectionsPage,
    WithdrawalCreate,
    WithdrawalRead,
)
from credo.services.access.keys import Caller, Role
from credo.services.due_process.notices import notice_json, notices_of
from credo.services.due_process.objections import (
    decide_objection,
    file_objection,
    objection_queue,
    objections_of,
)
from credo.services.due_process.withdrawals import withdraw_record

router = APIRouter(prefix="/v1")

SubjectKey = Annotated[Caller, Depends(role(Role.SUBJECT))]
ReviewerKey = Annotated[Caller, Depends(role(Role.REVIEWER))]
ProviderKey = Annotated[Caller, Depends(role(Role.PROVIDER))]
ConsumerKey = Annotated[Caller, Depends(role(Role.CONSUMER))]
_OWN = "A subject reads its own; a reviewer reads any; another subject's id is answered 404."


@router.get(
    "/subjects/{subject_id}/notices",
    tags=["subjects"],
    summary="Notices to a subject",
    response_model=NoticesPage,
    responses=responses(401, 403, 404, 422, 429, 503),
    description="Every notice issued to the subject, oldest first: records that cost points, "
    "list admissions and measures that started to apply (each with the record, its evidence, "
    "the rule and basis, the points, the last day to object and how), and the decisions on its "
    "objections. " + _OWN,
)
def get_notices(
    subject_id: SubjectId,
    caller: ReaderDep,
    state: StateDep,
    after: Annotated[
        int, Query(ge=0, le=SEQ_MAX, description="Only notices numbered above this.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="The most notices to return.")] = 100,
) -> NoticesPage:
    found = notices_of(state.context.store, subject_id, after=after, limit=limit)
    items = [NoticeRead.model_validate(notice_json(e)) for e in found]
    return NoticesPage(items=items, next=items[-1].notice if len(items) == limit else None)


@router.get(
    "/subjects/{subject_id}/objections",
    tags=["subjects"],
    summary="A subject's objections",
    response_model=ObjectionsPage,
    responses=responses(401, 403, 404, 422, 429, 503),
    description="Every objection the subject filed, oldest first, with its state. " + _OWN,
)
def get_own_objections(subject_id: SubjectId, caller: ReaderDep, state: StateDep) -> ObjectionsPage:
    today = state.context.today()
    found = objections_of(state.context.store, subject_id)
    items = [ObjectionRead.of(o, today) for o in found]
    return ObjectionsPage(items=items, overdue=sum(i.overdue for i in items))


@router.post(
    "/objections",
    tags=["subjects"],
    status_code=201,
    summary="Object to a record",
    response_model=ObjectionRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
    description="""A subject contests one of its own records, within the objection window of
the record's own rulebook (`window_days` from the day of its first notice, or of its recording
if it owed none, by the version in force that day). While the objection is open the record is
suspended or kept, as the rulebook's `while_disputed` says, and list entries resting on it
follow; scores and check answers reflect this at once. A late objection is refused (409) naming
the day the window closed; so is a second objection while one is open on the same record, and
any objection to a withdrawn record (naming when and by whom it was withdrawn). A record about
someone else is answered 404.""",
)
def post_objection(
    body: Annotated[ObjectionCreate, Body(description="The record contested and why.")],
    caller: SubjectKey,
    state: StateDep,
) -> ObjectionRead:
    ctx = state.context
    o = file_objection(
        ctx.store,
        ctx.feeds,
        state.rulebook(),
        subject_id=caller.principal,
        record_id=body.record_id,
        reason=body.reason,
        actor=caller.principal,
        today=ctx.today(),
        now=ctx.clock(),
    )
    return ObjectionRead.of(o, ctx.today())


@router.get(
    "/objections",
    tags=["reviewers"],
    summary="The review queue",
    response_model=ObjectionsPage,
    responses=responses(401, 403, 422, 429, 503),
    description="Objections oldest first, with the days left of the review period "
    "(`review_days`); open ones past it are flagged `overdue`. `moot`: closed because the "
    "record was withdrawn. For reviewers.",
)
def get_queue(
    caller: ReviewerKey,
    state: StateDep,
    state_: Annotated[
        Literal["open", "upheld", "overturned", "moot"] | None,
        Query(alias="state", description="Only objections in this state; default all."),
    ] = None,
    overdue: Annotated[bool, Query(description="Only open objections past review.")] = False,
) -> ObjectionsPage:
    today = state.context.today()
    found = objection_queue(state.context.store, state=state_, today=today, overdue_only=overdue)
    items = [ObjectionRead.of(o, today) for o in found]
    return ObjectionsPage(items=items, overdue=sum(i.overdue for i in items))


@router.post(
    "/objections/{objection_id}/decision",
    tags=["reviewers"],
    summary="Decide an objection",
    response_model=ObjectionRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
    description="`overturned`: the record stops counting at every date; `upheld`: it stands. "
    "The subject gets a notice either way. A decision is final: deciding again is refused "
    "(409), and so is deciding on a withdrawn record, whose objections were closed as moot. "
    "For reviewers.",
)
def post_decision(
    objection_id: Annotated[str, Path(pattern=OBJECTION_ID, description="The objection.")],
    body: Annotated[DecisionCreate, Body(description="The outcome and the reviewer's note.")],
    caller: ReviewerKey,
    state: StateDep,
) -> ObjectionRead:
    ctx = state.context
    o = decide_objection(
        ctx.store,
        ctx.feeds,
        state.rulebook(),
        objection_id=objection_id,
        outcome=body.outcome,
        note=body.note,
        reviewer=caller.principal,
        today=ctx.today(),
        now=ctx.clock(),
    )
    return ObjectionRead.of(o, ctx.today())


@router.post(
    "/records/{record_id}/withdrawal",
    tags=["providers"],
    status_code=201,
    summary="Withdraw a record",
    response_model=WithdrawalRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
    description="The provider that reported a record withdraws it: it stays in the ledger, "
    "with the withdrawal beside it, and never counts again at any date. An objection open on "
    "it is closed as `moot` in the same step, and the subject is told; the record takes no "
    "further objection or decision. Another provider's record is answered 404; withdrawing "
    "twice is refused (409).",
)
def post_withdrawal(
    record_id: Annotated[str, Path(pattern=RECORD_ID, description="The record.")],
    body: Annotated[WithdrawalCreate, Body(description="Why it is withdrawn.")],
    caller: ProviderKey,
    state: StateDep,
) -> WithdrawalRead:
    ctx = state.context
    e = withdraw_record(
        ctx.store,
        ctx.feeds,
        state.rulebook(),
        record_id=record_id,
        reason=body.reason,
        actor=caller.principal,
        provider=caller.principal,
        today=ctx.today(),
        now=ctx.clock(),
    )
    return WithdrawalRead(record_id=e.record_id, withdrawn_at=e.at, by=e.actor, reason=body.reason)


@router.get(
    "/changes",
    tags=["consumers"],
    summary="Decisions that changed",
    response_model=ChangesPage,
    responses=responses(401, 403, 422, 429, 503),
    description="""Subjects whose decision changed in the consumer's contexts, oldest first,
so a cache of answers stays current without asking about every subject again. Only subjects
this consumer has checked in that context appear: the feed keeps answers current, it does not
announce who is newly denied. Each change says when the decision may next change by time alone
(`recheck_on`). Pass the last `seq` as `after` to read on.""",
)
def get_changes(
    caller: ConsumerKey,
    state: StateDep,
    after: Annotated[
        int, Query(ge=0, le=SEQ_MAX, description="Only changes numbered above this.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="The most changes to return.")] = 100,
) -> ChangesPage:
    found = state.context.feeds.changes(caller.principal, caller.scopes, after=after, limit=limit)
    items = [
        ChangeRead(
            seq=c.seq or 0,
            subject=c.subject_id,
            context=c.context,
            decision="deny" if c.decision == "deny" else "allow",
            as_of=c.as_of,
            recheck_on=c.recheck_on,
        )
        for c in found
    ]
    return ChangesPage(items=items, next=items[-1].seq if items else after)
