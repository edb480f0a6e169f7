"""Routes for reviewers: the queue of objections and their decisions (SPEC §4.10). Reviewers
also read any subject's score, explanation, notices and objections (`api.subjects`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from credo.api.deps import ReviewerDep, StateDep
from credo.api.problems import responses
from credo.api.schemas.due_process import (
    DecisionCreate,
    ObjectionRead,
    ObjectionsPage,
)
from credo.domain.due_process.objections import State
from credo.domain.ledger.ids import OBJECTION_ID_PATTERN
from credo.services.due_process.objections import decide_objection, objection_queue

router = APIRouter(prefix="/v1", tags=["reviewers"])


@router.get(
    "/objections",
    summary="The review queue",
    response_model=ObjectionsPage,
    responses=responses(401, 403, 422, 429, 503),
    description="Objections oldest first, with the days left of the review period "
    "(`review_days`); open ones past it are flagged `overdue`. `moot`: closed because the "
    "record was withdrawn. For reviewers.",
)
def get_queue(
    caller: ReviewerDep,
    state: StateDep,
    state_: Annotated[
        State | None,
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
    summary="Decide an objection",
    response_model=ObjectionRead,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
    description="`overturned`: the record stops counting at every date; `upheld`: it stands. "
    "The subject gets a notice either way. A decision is final: deciding again is refused "
    "(409), and so is deciding on a withdrawn record, whose objections were closed as moot. "
    "For reviewers.",
)
def post_decision(
    objection_id: Annotated[str, Path(pattern=OBJECTION_ID_PATTERN, description="The objection.")],
    body: Annotated[DecisionCreate, Body(description="The outcome and the reviewer's note.")],
    caller: ReviewerDep,
    state: StateDep,
) -> ObjectionRead:
    o = state.change(
        decide_objection,
        objection_id=objection_id,
        outcome=body.outcome,
        note=body.note,
        reviewer=caller.principal,
    )
    return ObjectionRead.of(o, state.context.today())
