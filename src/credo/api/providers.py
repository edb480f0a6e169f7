"""Routes for providers: submitting records."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Response
from starlette.concurrency import run_in_threadpool

from credo.api.deps import ProviderDep, StateDep, json_response
from credo.api.problems import responses
from credo.api.schemas.records import MAX_RECORDS, RecordResult, RecordsCreate, RecordsResult
from credo.services.intake.records_api import submit_records

router = APIRouter(prefix="/v1", tags=["providers"])


@router.post(
    "/records",
    summary="Submit records",
    response_model=RecordsResult,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
    description=f"""One record, or a list of up to {MAX_RECORDS:,}, in the ingest format of SPEC §2.

Each record is validated as `credo ingest` validates it and gets its own result: `created`,
`already present` (the same record under the same `(source, source_ref)` was sent before),
`conflict` (that key holds a different record; nothing is written) or `rejected` with the reason
naming the field. Valid records are kept even when others in the request are refused; sending
the same request again is safe. A provider submits only the record types its key is registered
for, and `source` is its own id. Each subject's score, tier and list entries reflect the new
records as soon as this answers.

A body that is not a record or a list of records (wrong JSON types, unknown fields) is refused
whole with 422, and nothing is written.""",
)
async def post_records(
    body: Annotated[RecordsCreate, Body(description="A record, or a list of records.")],
    provider: ProviderDep,
    state: StateDep,
) -> Response:
    ctx = state.context
    items = body if isinstance(body, list) else [body]
    results = await run_in_threadpool(
        partial(
            submit_records,
            ctx.store,
            ctx.feeds,
            state.rulebook(),
            provider,
            [item.submitted() for item in items],
            today=ctx.today(),
            now=ctx.clock(),
        )
    )
    counts = {"created": 0, "already present": 0, "conflict": 0, "rejected": 0}
    for r in results:
        counts[r.status] += 1
    for outcome, n in counts.items():
        if n:
            state.metrics.records.labels(outcome).inc(n)
    read = RecordsResult(
        created=counts["created"],
        present=counts["already present"],
        refused=counts["conflict"] + counts["rejected"],
        results=[
            RecordResult(index=r.index, status=r.status, record_id=r.record_id, reason=r.reason)
            for r in results
        ],
    )
    return json_response(read)
