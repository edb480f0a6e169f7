"""Routes anyone may call without a key: the rulebook in force and the published lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from credo.api.deps import StateDep, anonymous
from credo.api.problems import responses
from credo.api.schemas.common import IsoDate
from credo.api.schemas.proposals import PackDiffRead, ProposalRead, ProposalsRead
from credo.api.schemas.public import (
    ListedRead,
    PackVersionRead,
    PeriodRead,
    PublishedListRead,
    RulebookRead,
)
from credo.domain.ledger.ids import ID_PATTERN, NAME_PATTERN
from credo.services.rating.public_lists import list_page

router = APIRouter(prefix="/v1", tags=["public"], dependencies=[Depends(anonymous)])


@router.get(
    "/rulebook",
    summary="The rulebook in force",
    response_model=RulebookRead,
    responses=responses(422, 429, 503),
    description="Every pack's version in force on a date (default today), in full: record "
    "types, every rule with its points, validity and basis, caps, lists and measures. Nothing "
    "that moves a score is anywhere else.",
)
def get_rulebook(
    state: StateDep,
    as_of: Annotated[
        IsoDate | None, Query(description="The date, YYYY-MM-DD; default today.")
    ] = None,
) -> RulebookRead:
    ctx = state.context
    day = as_of or ctx.today()
    packs = []
    for history in state.rulebook().packs.values():
        version = history.in_force(day)
        if version is not None:
            body = version.pack.model_dump(mode="json")
            packs.append(PackVersionRead.model_validate({**body, "checksum": version.checksum}))
    return RulebookRead(as_of=day, packs=packs)


@router.get(
    "/rulebook/proposals",
    summary="Proposed pack versions",
    response_model=ProposalsRead,
    responses=responses(429, 503),
    description="Every version proposed with `credo pack propose`, the newest first, with its "
    "simulation report (what it would do to the population, no cell under 10 subjects), the "
    "diff from the version it would follow, and when it was adopted, if it was.",
)
def get_proposals(state: StateDep) -> ProposalsRead:
    from credo.services.packs.proposals import proposal_views

    ctx = state.context
    return ProposalsRead(
        items=[ProposalRead.of(v) for v in proposal_views(ctx.store, ctx.proposals)]
    )


@router.get(
    "/rulebook/{pack}/diff",
    summary="What one version of a pack changes from another",
    response_model=PackDiffRead,
    responses=responses(404, 422, 429, 503),
    description="Two adopted versions of a pack compared, as `credo pack diff` prints them: "
    "rules added, removed, changed or moved (the first rule that matches gives the points), "
    "tiers, record types, caps, lists, measures, score and objection settings.",
)
def get_pack_diff(
    state: StateDep,
    pack: Annotated[str, Path(pattern=NAME_PATTERN, description="The pack's id.")],
    from_: Annotated[
        int, Query(alias="from", ge=1, le=2**31 - 1, description="The older version.")
    ],
    to: Annotated[int, Query(ge=1, le=2**31 - 1, description="The newer version.")],
) -> PackDiffRead:
    from credo.services.packs.diff import diff_adopted

    return PackDiffRead.of(diff_adopted(state.context.store, pack, from_, to))


@router.get(
    "/lists/{list_id}",
    summary="Organisations on a published list",
    response_model=PublishedListRead,
    responses=responses(404, 422, 429, 503),
    description="The organisations on a public list today, by id, a page at a time. Only lists "
    "that a pack in force for organisations declares `public` are published; lists that hold "
    "persons never are (404). Entries come from the materialised scores, which each new record "
    "and each `credo recompute` bring up to date.",
)
def get_list(
    state: StateDep,
    list_id: Annotated[str, Path(pattern=NAME_PATTERN, description="The list's id.")],
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=ID_PATTERN,
            description="Only organisations whose id contains this, ignoring case.",
        ),
    ] = None,
    after: Annotated[
        str | None,
        Query(pattern=ID_PATTERN, description="The `next` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="The most entries to return.")] = 100,
) -> PublishedListRead:
    ctx = state.context
    page = list_page(
        ctx.listings,
        state.rulebook(),
        list_id,
        today=ctx.today(),
        query=q,
        after=after,
        limit=limit,
    )
    lst = page.published
    return PublishedListRead(
        list=lst.list_id,
        kind=lst.kind,
        basis=lst.basis,
        description=lst.description,
        packs=list(lst.packs),
        as_of=page.as_of,
        items=[
            ListedRead(
                subject=item.subject_id,
                region=item.region,
                periods=[PeriodRead(since=p.since, until=p.until) for p in item.periods],
            )
            for item in page.items
        ],
        next=page.next,
    )
