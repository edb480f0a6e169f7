"""The rulebook's changes, for anyone: what one version changes from another, and the proposed
versions with what they would do to the population, before they take effect."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from credo.domain.errors import UnknownRecord
from credo.domain.ledger.ids import NAME_PATTERN
from credo.web.context import PageDep
from credo.web.render import render, secure
from credo.web.routing import router as page_router

router = page_router()


@router.get("/rulebook/proposals")
async def proposals_page(page: PageDep) -> Response:
    from credo.services.packs.proposals import proposal_views
    from credo.web.simulation_report import report_values

    ctx = page.state.context
    views = await run_in_threadpool(lambda: proposal_views(ctx.store, ctx.proposals))
    cells = {v.stored.proposal_id: report_values(v.report, "")["cells"] for v in views}
    return render(page, "proposals.html", twin="/v1/rulebook/proposals", views=views, cells=cells)


@router.get("/rulebook/proposals/{proposal_id}/{pack}-{plot}.svg")
async def proposal_plot(
    page: PageDep,
    proposal_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    pack: Annotated[str, Path(pattern=NAME_PATTERN)],
    plot: Annotated[str, Path(pattern="^(transitions|scores|decisions)$")],
) -> Response:
    from credo.services.packs.proposals import proposal_view
    from credo.web.simulation_plots import plots

    ctx = page.state.context
    view = await run_in_threadpool(lambda: proposal_view(ctx.store, ctx.proposals, proposal_id))
    part = next((p for p in view.report["packs"] if p["pack"] == pack), None) if view else None
    if part is None:
        raise UnknownRecord(f"proposal {proposal_id} has no report for pack {pack}")
    svg = await run_in_threadpool(lambda: plots(part)[plot])
    return secure(Response(svg, media_type="image/svg+xml"))


@router.get("/rulebook/{pack}/diff")
def pack_diff_page(
    page: PageDep,
    pack: Annotated[str, Path(pattern=NAME_PATTERN)],
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> Response:
    from credo.services.packs.diff import diff_adopted

    diff = diff_adopted(page.state.context.store, pack, from_, to)
    return render(
        page, "pack_diff.html", twin=f"/v1/rulebook/{pack}/diff?from={from_}&to={to}", diff=diff
    )
