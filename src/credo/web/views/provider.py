"""A provider's page: its latest records with what became of each (counted, disputed,
overturned, withdrawn), and the withdrawal of its own records with a reason. Another
provider's record is a 404 page, as in the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from credo.domain.ledger.ids import RECORD_ID_PATTERN
from credo.services.access.keys import Role
from credo.services.due_process.withdrawals import withdraw_record
from credo.services.portal.submissions import recent_submissions
from credo.web.context import PageDep
from credo.web.render import render
from credo.web.routing import check_csrf, require
from credo.web.routing import router as page_router

router = page_router()
REASON_MAX = 4000


@router.get("/provider")
async def provider(page: PageDep) -> Response:
    require(page, Role.PROVIDER)
    assert page.viewer is not None
    ctx, source = page.state.context, page.viewer.principal
    found = await run_in_threadpool(
        lambda: recent_submissions(ctx.store, ctx.portal, source, limit=100)
    )
    return render(page, "provider.html", twin=None, items=found, error=None, failed=None)


@router.post("/provider/records/{record_id}/withdrawal")
async def withdraw(
    page: PageDep,
    record_id: Annotated[str, Path(pattern=RECORD_ID_PATTERN)],
    reason: Annotated[str, Form(max_length=REASON_MAX * 2)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    require(page, Role.PROVIDER)
    assert page.viewer is not None
    check_csrf(page, csrf)
    ctx, state, source = page.state.context, page.state, page.viewer.principal
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        found = await run_in_threadpool(
            lambda: recent_submissions(ctx.store, ctx.portal, source, limit=100)
        )
        return render(
            page,
            "provider.html",
            status=422,
            twin=None,
            items=found,
            error="A withdrawal needs a reason of 1 to 4,000 characters.",
            failed=record_id,
        )
    await run_in_threadpool(
        lambda: withdraw_record(
            ctx.store,
            ctx.feeds,
            state.rulebook(),
            record_id=record_id,
            reason=reason,
            actor=source,
            provider=source,
            today=ctx.today(),
            now=ctx.clock(),
        )
    )
    return RedirectResponse(f"/provider#{record_id}", status_code=303)
