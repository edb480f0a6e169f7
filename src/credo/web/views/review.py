"""Reviewers' pages: the queue, oldest first, with the days left and the overdue marked; an
objection with its record, the evidence and the subject's reason; and the decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Path
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from credo.domain.due_process.objections import Objection
from credo.domain.ledger.ids import OBJECTION_ID_PATTERN
from credo.domain.ledger.records import LedgerRecord
from credo.services.access.keys import Role
from credo.services.due_process.objections import decide_objection, objection_by_id, objection_queue
from credo.web.context import Page, PageDep
from credo.web.render import render
from credo.web.routing import check_csrf, require
from credo.web.routing import router as page_router

router = page_router()
NOTE_MAX = 4000


@router.get("/review")
async def queue(page: PageDep) -> Response:
    require(page, Role.REVIEWER)
    ctx = page.state.context
    today = ctx.today()
    found = await run_in_threadpool(lambda: objection_queue(ctx.store, state="open", today=today))
    return render(page, "review.html", twin="/v1/objections?state=open", queue=found, today=today)


def _objection(page: Page, objection_id: str) -> tuple[Objection, LedgerRecord | None]:
    store = page.state.context.store
    o = objection_by_id(store, objection_id)
    return o, store.record(o.record_id)


@router.get("/review/{objection_id}")
async def objection(
    page: PageDep, objection_id: Annotated[str, Path(pattern=OBJECTION_ID_PATTERN)]
) -> Response:
    require(page, Role.REVIEWER)
    o, lr = await run_in_threadpool(_objection, page, objection_id)
    return _page(page, o, lr)


def _page(
    page: Page, o: Objection, lr: LedgerRecord | None, *, error: str | None = None, note: str = ""
) -> Response:
    return render(
        page,
        "review_objection.html",
        status=422 if error else 200,
        twin=f"/v1/objections?state={o.state}",
        objection=o,
        lr=lr,
        today=page.state.context.today(),
        error=error,
        note=note,
    )


@router.post("/review/{objection_id}/decision")
async def decide(
    page: PageDep,
    objection_id: Annotated[str, Path(pattern=OBJECTION_ID_PATTERN)],
    outcome: Annotated[Literal["upheld", "overturned"], Form()],
    note: Annotated[str, Form(max_length=NOTE_MAX * 2)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    require(page, Role.REVIEWER)
    assert page.viewer is not None
    check_csrf(page, csrf)
    note = note.strip()
    if not note or len(note) > NOTE_MAX:
        o, lr = await run_in_threadpool(_objection, page, objection_id)
        return _page(page, o, lr, error="A decision needs a note of 1 to 4,000 characters.")
    ctx, state, reviewer = page.state.context, page.state, page.viewer.principal
    await run_in_threadpool(
        lambda: decide_objection(
            ctx.store,
            ctx.feeds,
            state.rulebook(),
            objection_id=objection_id,
            outcome=outcome,
            note=note,
            reviewer=reviewer,
            today=ctx.today(),
            now=ctx.clock(),
        )
    )
    return RedirectResponse(f"/review/{objection_id}", status_code=303)
