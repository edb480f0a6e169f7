"""Routes for providers: submitting records and withdrawing them."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from credo.adapters.readers import repeated_key
from credo.api.deps import ProviderDep, StateDep, json_response
from credo.api.problems import responses
from credo.api.schemas.due_process import WithdrawalCreate, WithdrawalRead
from credo.api.schemas.records import MAX_RECORDS, RecordResult, RecordsCreate, RecordsResult
from credo.domain.errors import InvalidRecord
from credo.domain.ledger.ids import RECORD_ID_PATTERN
from credo.services.due_process.withdrawals import withdraw_record

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
    request: Request,
) -> Response:
    await _strict_json(request)
    ctx = state.context
    items = body if isinstance(body, list) else [body]
    results = await run_in_threadpool(
        partial(
            state.records.submit,
            state.rulebook(),
            provider,
            [item.submitted() for item in items],
            today=ctx.today(),
            now=ctx.clock(),
            schemes=ctx.settings.evidence_schemes,
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
        results=[RecordResult.of(r) for r in results],
    )
    return json_response(read)


@router.post(
    "/records/{record_id}/withdrawal",
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
    record_id: Annotated[str, Path(pattern=RECORD_ID_PATTERN, description="The record.")],
    body: Annotated[WithdrawalCreate, Body(description="Why it is withdrawn.")],
    provider: ProviderDep,
    state: StateDep,
) -> WithdrawalRead:
    e = state.change(
        withdraw_record,
        record_id=record_id,
        reason=body.reason,
        actor=provider.principal,
        provider=provider.principal,
    )
    return WithdrawalRead.of(e, body.reason)


async def _strict_json(request: Request) -> None:
    """A body is UTF-8 JSON with no key repeated in an object: what the JSON reader would
    otherwise accept silently (the last of two values, or another encoding guessed) is refused,
    and nothing of the request is written."""
    raw = await request.body()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidRecord(f"the request body is not UTF-8 (byte {e.start})", "body") from None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return  # read otherwise by the schema's reader (a number beyond a double), and judged
    reason = repeated_key(raw, value)
    if reason is not None:
        raise InvalidRecord(reason, "body")
