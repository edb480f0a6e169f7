"""Pages anyone may read without signing in: what credo is, the rulebook, the published lists
and the population in aggregate. No person is ever named here (SPEC §5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from credo.domain.ledger.ids import ID_PATTERN, NAME_PATTERN
from credo.services.portal.population import population
from credo.services.rating.public_lists import list_page
from credo.web.context import PageDep
from credo.web.render import render
from credo.web.routing import router as page_router

router = page_router()


@router.get("/")
def home(page: PageDep) -> Response:
    return render(page, "home.html", twin="/openapi.json")


@router.get("/rulebook")
def rulebook(page: PageDep) -> Response:
    ctx = page.state.context
    today = ctx.today()
    packs = []
    for history in sorted(page.state.rulebook().packs.values(), key=lambda h: h.id):
        now = history.in_force(today)
        versions = sorted(history.versions, key=lambda v: v.version, reverse=True)
        packs.append((history, now, versions))
    return render(page, "rulebook.html", twin="/v1/rulebook", packs=packs, today=today)


@router.get("/lists/{list_id}")
async def published_list(
    request: Request,
    page: PageDep,
    list_id: Annotated[str, Path(pattern=NAME_PATTERN)],
    q: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> Response:
    ctx = page.state.context
    query = (q or "").strip() or None
    found = await run_in_threadpool(
        lambda: list_page(
            ctx.listings,
            page.state.rulebook(),
            list_id,
            today=ctx.today(),
            query=query,
            after=after,
            limit=PAGE_SIZE,
        )
    )
    partial = request.headers.get("hx-request") == "true"
    return render(
        page,
        "_list_rows.html" if partial else "list.html",
        twin=f"/v1/lists/{list_id}",
        found=found,
        q=query or "",
    )


PAGE_SIZE = 50


@router.get("/population")
def population_page(page: PageDep) -> Response:
    ctx = page.state.context
    figures = population(ctx.portal, page.state.rulebook(), today=ctx.today())
    return render(page, "population.html", twin="/v1/population", figures=figures)
