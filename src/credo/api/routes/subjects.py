"""Routes for subjects: a subject's own score, explanation, notices, objections and the log of
checks made about it. Reviewers read the same scores, explanations, notices and objections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from credo.api.deps import OwnerDep, ReaderDep, StateDep, SubjectDep, SubjectId
from credo.api.problems import responses, scored
from credo.api.schemas.checks import ChecksPage, LoggedCheckRead
from credo.api.schemas.common import SEQ_MAX, IsoDate
from credo.api.schemas.due_process import (
    NoticeRead,
    NoticesPage,
    ObjectionCreate,
    ObjectionRead,
    ObjectionsPage,
)
from credo.api.schemas.keys import AdminEntriesPage, EntriesAfter, EntriesLimit
from credo.api.schemas.subjects import ExplanationRead, ScoreRead
from credo.services.access.keys import admin_history
from credo.services.due_process.notices import notice_json, notices_of
from credo.services.due_process.objections import file_objection, objections_of
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.checks import checks_about
from credo.services.rating.subject import explain_subject, score_subject

router = APIRouter(prefix="/v1", tags=["subjects"])

AsOf = Annotated[
    IsoDate | None,
    Query(description="The date to judge on, YYYY-MM-DD; default today."),
]
_READ = responses(401, 403, 404, 422, 429, 503)
_OWN = (
    "A subject reads its own; a reviewer reads any. Another subject's id is answered 404, as an "
    "id with no records is."
)


@router.get(
    "/subjects/{subject_id}/score",
    summary="A subject's score",
    response_model=ScoreRead,
    responses=_READ,
    description="The score, tier and open list entries on a date (SPEC §4). " + _OWN,
)
def get_score(
    subject_id: SubjectId, caller: ReaderDep, state: StateDep, as_of: AsOf = None
) -> ScoreRead:
    ctx = state.context
    with scored():
        return ScoreRead.of(score_subject(ctx.store, subject_id, as_of=as_of or ctx.today()))


@router.get(
    "/subjects/{subject_id}/explanation",
    summary="Why a score is what it is",
    response_model=ExplanationRead,
    responses=_READ,
    description="Every record's part in the score, what does not count and why, list entries, "
    "and when the score next changes (SPEC §6). " + _OWN,
)
def get_explanation(
    subject_id: SubjectId, caller: ReaderDep, state: StateDep, as_of: AsOf = None
) -> ExplanationRead:
    ctx = state.context
    with scored():
        e = explain_subject(
            ctx.store,
            subject_id,
            as_of=as_of or ctx.today(),
            # The rulebook as stored now, not as cached for checks: an explanation shows a
            # version the moment it is adopted.
            rulebook=current_rulebook(ctx.store),
            explained=state.explanations,
        )
    return ExplanationRead.of(e)


@router.get(
    "/subjects/{subject_id}/checks",
    summary="Checks made about a subject",
    response_model=ChecksPage,
    responses=_READ,
    description="Who checked the subject, when, in which context, and what they were told; "
    "newest first. Only the subject itself reads this; another subject's id is answered 404.",
)
def get_checks(
    subject_id: SubjectId,
    caller: OwnerDep,
    state: StateDep,
    before: Annotated[
        int | None,
        Query(ge=1, le=SEQ_MAX, description="Only checks numbered below this (paging)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="The most checks to return.")] = 50,
) -> ChecksPage:
    found = checks_about(state.context.access, subject_id, before=before, limit=limit)
    items = [LoggedCheckRead.of(c) for c in found]
    return ChecksPage(items=items, next=items[-1].seq if len(items) == limit else None)


@router.get(
    "/subjects/{subject_id}/keys",
    summary="What was done with a subject's keys",
    response_model=AdminEntriesPage,
    responses=_READ,
    description="The ledger's entries about the subject's own API keys, oldest first: each key "
    "made or revoked and each sign-in link issued, who did it and when, with its leaf in the "
    "audit log; never a token. Only the subject itself reads this; another subject's id is "
    "answered 404.",
)
def get_key_history(
    subject_id: SubjectId,
    caller: OwnerDep,
    state: StateDep,
    after: EntriesAfter = 0,
    limit: EntriesLimit = 100,
) -> AdminEntriesPage:
    found = admin_history(state.context.store, subject_id=subject_id, after=after, limit=limit)
    return AdminEntriesPage.of(found, limit)


@router.get(
    "/subjects/{subject_id}/notices",
    summary="Notices to a subject",
    response_model=NoticesPage,
    responses=_READ,
    description="Every notice issued to the subject, oldest first: records that cost points, "
    "list admissions and measures that started to apply (each with the record, its evidence, "
    "the rule and basis, the points, the last day to object and how), and the decisions on its "
    "objections. A subject reads its own; a reviewer reads any; another subject's id is "
    "answered 404.",
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
    summary="A subject's objections",
    response_model=ObjectionsPage,
    responses=_READ,
    description="Every objection the subject filed, oldest first, with its state. A subject "
    "reads its own; a reviewer reads any; another subject's id is answered 404.",
)
def get_own_objections(subject_id: SubjectId, caller: ReaderDep, state: StateDep) -> ObjectionsPage:
    today = state.context.today()
    items = [ObjectionRead.of(o, today) for o in objections_of(state.context.store, subject_id)]
    return ObjectionsPage(items=items, overdue=sum(i.overdue for i in items))


@router.post(
    "/objections",
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
    caller: SubjectDep,
    state: StateDep,
) -> ObjectionRead:
    o = state.change(
        file_objection,
        subject_id=caller.principal,
        record_id=body.record_id,
        reason=body.reason,
        actor=caller.principal,
    )
    return ObjectionRead.of(o, state.context.today())
