"""Routes for subjects (and reviewers): a subject's own score, explanation and checks log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from credo.api.deps import OwnerDep, ReaderDep, StateDep, SubjectId
from credo.api.problems import responses, scored
from credo.api.schemas.checks import ChecksPage, LoggedCheckRead
from credo.api.schemas.common import SEQ_MAX, IsoDate
from credo.api.schemas.subjects import ExplanationRead, ListEntryRead, ScoreRead
from credo.domain.explanation import to_json
from credo.services.rating.checks import checks_about
from credo.services.rating.subject import explain_subject, score_subject

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])

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
    "/{subject_id}/score",
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
        a = score_subject(ctx.store, subject_id, as_of=as_of or ctx.today())
    return ScoreRead(
        subject=a.subject_id,
        as_of=a.as_of,
        pack=a.version.id,
        pack_version=a.version.version,
        pack_checksum=a.version.checksum,
        base=a.base,
        score=a.score,
        tier=a.tier,
        lists=[
            ListEntryRead(
                list=e.list_id,
                kind=e.kind,
                record_id=e.record.record_id,
                since=e.since,
                until=e.until,
                repaired_by=e.repaired_by,
            )
            for e in a.lists
        ],
    )


@router.get(
    "/{subject_id}/explanation",
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
        e = explain_subject(ctx.store, subject_id, as_of=as_of or ctx.today())
    return ExplanationRead.model_validate(to_json(e))


@router.get(
    "/{subject_id}/checks",
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
    items = [
        LoggedCheckRead(
            seq=c.seq or 0,
            at=c.at,
            consumer=c.consumer,
            context=c.context,
            as_of=c.as_of,
            decision=c.decision,
            terms=c.terms,
            measures=list(c.measures),
        )
        for c in found
    ]
    return ChecksPage(items=items, next=items[-1].seq if len(items) == limit else None)
