"""Routes for consumers: checks, and the feed of the decisions that changed since."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from starlette.concurrency import run_in_threadpool

from credo.api.deps import ConsumerDep, StateDep, json_response
from credo.api.problems import responses, scored
from credo.api.schemas.checks import CheckRead, CheckRequest
from credo.api.schemas.common import SEQ_MAX
from credo.api.schemas.due_process import ChangeRead, ChangesPage
from credo.services.rating.checks import run_check

router = APIRouter(prefix="/v1", tags=["consumers"])


@router.post(
    "/checks",
    summary="Check a subject in a context",
    response_model=CheckRead,
    responses=responses(400, 401, 403, 404, 413, 422, 429, 503),
    description="""What applies to one subject in one context today (SPEC §4.9): `deny` if any
measure of the context that applies denies, else `allow` with the grants' terms; every measure
applied is a reason, with its trigger, basis and how to object. A consumer checks only in the
contexts its key is registered for (403 otherwise) and learns nothing else about the subject.
Every answered check is logged, and the subject can read that log.""",
)
async def post_check(
    body: Annotated[CheckRequest, Body(description="Whom to check, and where.")],
    consumer: ConsumerDep,
    state: StateDep,
) -> Response:
    ctx = state.context
    with scored():
        d = await run_in_threadpool(
            partial(
                run_check,
                ctx.store,
                ctx.access,
                consumer,
                rulebook=state.rulebook(),
                subject_id=body.subject,
                context=body.context,
                today=ctx.today(),
                now=ctx.clock(),
            )
        )
    state.metrics.checks.labels(d.decision).inc()
    return json_response(CheckRead.of(d))


@router.get(
    "/changes",
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
    consumer: ConsumerDep,
    state: StateDep,
    after: Annotated[
        int, Query(ge=0, le=SEQ_MAX, description="Only changes numbered above this.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="The most changes to return.")] = 100,
) -> ChangesPage:
    feeds = state.context.feeds
    found = feeds.changes(consumer.principal, consumer.scopes, after=after, limit=limit)
    items = [ChangeRead.of(c) for c in found]
    return ChangesPage(items=items, next=items[-1].seq if items else after)
