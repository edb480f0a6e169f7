"""The population in aggregate, for anyone to read: subjects per tier of each pack, and the
size of each list, from the stored scores. No cell counts fewer than `MIN_CELL` subjects: a
smaller one is shown as suppressed, and so is a second one beside it in the same pack, so no
suppressed cell can be had by subtracting the others from the total."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credo.adapters.stores.portal import PortalQueries
from credo.domain.rules.rulebook import Rulebook

MIN_CELL = 10


@dataclass(frozen=True, slots=True)
class Cell:
    name: str
    subjects: int | None  # None: suppressed, fewer than MIN_CELL (or hiding one that is)


@dataclass(frozen=True, slots=True)
class PackFigures:
    pack: str
    version: int | None  # in force today
    kinds: tuple[str, ...]
    subjects: int | None
    tiers: tuple[Cell, ...]
    lists: tuple[Cell, ...]


def suppress(counts: list[tuple[str, int]]) -> list[Cell]:
    """Cells under MIN_CELL hidden; when exactly one is hidden, the smallest other non-empty
    cell is hidden with it (a total beside them would give it away)."""
    hidden = {name for name, n in counts if 0 < n < MIN_CELL}
    if len(hidden) == 1:
        others = sorted((n, name) for name, n in counts if name not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    return [Cell(name, None if name in hidden else n) for name, n in counts]


def population(portal: PortalQueries, rulebook: Rulebook, *, today: date) -> list[PackFigures]:
    tiers = portal.tier_counts()
    lists = portal.list_counts(today)
    found = []
    for history in sorted(rulebook.packs.values(), key=lambda h: h.id):
        version = history.in_force(today) or history.latest()
        order = [t.name for t in version.pack.tiers]
        named = {t for p, t in tiers if p == history.id}
        counts = [(t, tiers.get((history.id, t), 0)) for t in order + sorted(named - set(order))]
        total = sum(n for _, n in counts)
        list_ids = [lst.id for lst in version.pack.lists]
        list_counts = [(lst, lists.get((history.id, lst), 0)) for lst in list_ids]
        found.append(
            PackFigures(
                history.id,
                version.version if history.in_force(today) else None,
                tuple(sorted(history.subject_kinds)),
                total if total == 0 or total >= MIN_CELL else None,
                tuple(suppress(counts)),
                tuple(Cell(c.name, c.subjects) for c in suppress_each(list_counts)),
            )
        )
    return found


def suppress_each(counts: list[tuple[str, int]]) -> list[Cell]:
    """Cells with no total beside them: each under MIN_CELL is hidden on its own."""
    return [Cell(name, None if 0 < n < MIN_CELL else n) for name, n in counts]
