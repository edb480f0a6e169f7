"""Routes for consumers: checks."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Response
from starlette.concurrency import run_in_threadpool

from credo.api.deps import ConsumerDep, StateDep, json_response
from credo.api.problems import responses, scored
from credo.api.schemas.checks import CheckRead, CheckRequest, ReasonRead
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
    read = CheckRead(
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
    return json_response(read)
