"""Routes for operators: liveness, readiness and metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from credo.api.deps import ApiState, StateDep
from credo.api.metrics import CONTENT_TYPE
from credo.api.problems import responses
from credo.domain.errors import StoreUnavailable
from credo.services.due_process.objections import objection_queue

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok", "ready"] = Field(description="`ok` (alive) or `ready` (serving).")


@router.get(
    "/healthz",
    summary="Liveness",
    response_model=Health,
    description="The process answers. Says nothing about the database.",
)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Health,
    responses=responses(503),
    description="The ledger database is reachable and every migration has been applied.",
)
async def readyz(state: StateDep) -> Health:
    store = state.context.store
    if not await run_in_threadpool(store.schema_is_current):
        raise StoreUnavailable("the ledger database is not migrated to the current schema")
    return Health(status="ready")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"description": "Prometheus text format.", "content": {CONTENT_TYPE: {}}}},
    description="Requests by route and status, latencies, records ingested by outcome, checks "
    "by decision, summed over every server process; objections open and overdue.",
)
async def metrics(state: StateDep) -> Response:
    body = await run_in_threadpool(state.metrics.exposition)
    queue = await run_in_threadpool(_objections, state)
    return Response(body + queue, media_type=CONTENT_TYPE)


def _objections(state: ApiState) -> bytes:
    """Read from the ledger at each scrape, so every worker reports the same figures."""
    today = state.context.today()
    open_ = objection_queue(state.context.store, state="open", today=today)
    overdue = sum(o.overdue(today) for o in open_)
    return (
        "# HELP credo_objections_open Objections awaiting a decision.\n"
        "# TYPE credo_objections_open gauge\n"
        f"credo_objections_open {len(open_)}\n"
        "# HELP credo_objections_overdue Open objections past their review period.\n"
        "# TYPE credo_objections_overdue gauge\n"
        f"credo_objections_overdue {overdue}\n"
    ).encode()
