"""The population in aggregate, without a key: the JSON twin of the portal's `/population`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from credo.api.deps import StateDep, anonymous
from credo.api.problems import responses
from credo.services.portal.population import MIN_CELL, population

router = APIRouter(prefix="/v1", tags=["public"], dependencies=[Depends(anonymous)])


class CellRead(BaseModel):
    name: str = Field(description="A tier or a list.")
    subjects: int | None = Field(
        description=f"Subjects; null when suppressed (fewer than {MIN_CELL}, or hiding one "
        "that is)."
    )


class PackFiguresRead(BaseModel):
    pack: str = Field(description="The pack's id.")
    version: int | None = Field(description="The version in force; null if none is yet.")
    kinds: list[str] = Field(description="The kinds of subject it rates.")
    subjects: int | None = Field(description=f"Subjects scored; null under {MIN_CELL}.")
    tiers: list[CellRead] = Field(description="Subjects per tier, high to low.")
    lists: list[CellRead] = Field(description="Subjects on each of the pack's lists.")


class PopulationRead(BaseModel):
    as_of: date = Field(description="Today.")
    min_cell: int = Field(description="No cell shows fewer subjects than this.")
    packs: list[PackFiguresRead] = Field(description="One entry per adopted pack.")


@router.get(
    "/population",
    summary="The population in aggregate",
    response_model=PopulationRead,
    responses=responses(429, 503),
    description=f"Subjects per tier of each pack and on each list, from the stored scores. No "
    f"cell shows fewer than {MIN_CELL} subjects: such a cell is null, and so is a second one "
    "beside it, so that none can be had by subtraction from the total.",
)
def get_population(state: StateDep) -> PopulationRead:
    ctx = state.context
    today = ctx.today()
    figures = population(ctx.portal, state.rulebook(), today=today)
    return PopulationRead(
        as_of=today,
        min_cell=MIN_CELL,
        packs=[
            PackFiguresRead(
                pack=f.pack,
                version=f.version,
                kinds=list(f.kinds),
                subjects=f.subjects,
                tiers=[CellRead(name=c.name, subjects=c.subjects) for c in f.tiers],
                lists=[CellRead(name=c.name, subjects=c.subjects) for c in f.lists],
            )
            for f in figures
        ],
    )
