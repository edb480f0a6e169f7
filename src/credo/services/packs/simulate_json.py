"""A pack's simulated effect as SPEC §6's `simulate --json` shapes it; published, every count
under MIN_CELL subjects is left out."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from credo.services.packs.simulate_compare import BY_RULE_SHOWN, PackEffect, Place
from credo.services.portal.population import MIN_CELL


def suppressed(n: int) -> int | None:
    """A published count under MIN_CELL subjects is left out."""
    return None if 0 < n < MIN_CELL else n


def effect_json(e: PackEffect, *, published: bool = False) -> dict[str, Any]:
    """The pack's part of `simulate --json` (SPEC §6), and beyond it the breakdown by region and
    kind (no cell under MIN_CELL subjects), the records by rule and the scores before and after.
    `published`: transition cells under MIN_CELL are left out too."""
    order = {t: i for i, t in enumerate(e.tiers)}

    def rank(t: str | None) -> tuple[int, str]:
        return (order.get(t, len(order)), t or "") if t else (len(order) + 1, "")

    cells = sorted(e.transitions.items(), key=lambda kv: (rank(kv[0][0]), rank(kv[0][1])))
    return {
        "pack": e.pack,
        "version_now": e.version_now,
        "version_proposed": e.version_proposed,
        "subjects": e.subjects,
        "tiers": e.tiers,
        "transitions": [
            {"from": f, "to": t, "subjects": suppressed(n) if published else n}
            for (f, t), n in cells
            if n
        ],
        "score_change": e.score_change(),
        "lists": [
            {"list": lid, "opened": e.opened[lid], "closed": e.closed[lid]}
            for lid in [*e.list_ids, *sorted((e.opened.keys() | e.closed.keys()) - set(e.list_ids))]
        ],
        "decisions": [
            {
                "context": context,
                "allow_to_deny": d.allow_to_deny,
                "deny_to_allow": d.deny_to_allow,
                "terms_changed": d.terms_changed,
            }
            for context, d in sorted(e.decisions.items())
        ],
        "records_changed": {
            "softened": e.records["softened"],
            "repealed": e.records["repealed"],
            "rewarded": e.records["rewarded"],
            "lowered": e.records["lowered"],
            "expiry_changed": e.records["expiry_changed"],
            "merged": e.records["merged"],
            "by_rule": [
                {
                    "rule_now": rb,
                    "rule_proposed": ra,
                    "points_now": pb,
                    "points_proposed": pa_,
                    "records": n,
                }
                for (rb, ra, pb, pa_), n in sorted(
                    e.by_rule.items(), key=lambda kv: (-kv[1], repr(kv[0]))
                )[:BY_RULE_SHOWN]
            ],
        },
        "breakdown": _breakdown(e),
        "histogram": _histogram(e, published=published),
    }


HISTOGRAM_BINS = 24


def _histogram(e: PackEffect, *, published: bool) -> dict[str, Any]:
    """Scores now and as proposed, counted in the same bins (published: no bin under
    MIN_CELL subjects)."""
    if not e.scores_now.size:
        return {"edges": [], "now": [], "proposed": []}
    low = int(min(e.scores_now.min(), e.scores_proposed.min()))
    high = int(max(e.scores_now.max(), e.scores_proposed.max())) + 1
    width = max(1, -(-(high - low) // HISTOGRAM_BINS))
    bins = -(-(high - low) // width)
    edges = [low + i * width for i in range(bins + 1)]

    def counts(scores: npt.NDArray[np.int64]) -> list[int | None]:
        n = np.bincount((scores - low) // width, minlength=bins).tolist()
        return [suppressed(x) for x in n] if published else n

    return {"edges": edges, "now": counts(e.scores_now), "proposed": counts(e.scores_proposed)}


def _breakdown(e: PackEffect) -> list[dict[str, Any]]:
    """Per region and kind; places with fewer than MIN_CELL subjects are added up together as
    one row (`region: null`), and every count under MIN_CELL is left out."""
    rows: list[tuple[str | None, str | None, Place]] = []
    small = Place()
    for (region, kind), p in sorted(e.places.items()):
        if p.subjects < MIN_CELL:
            for name in ("subjects", "tier_changed", "up", "down", "decisions_changed"):
                setattr(small, name, getattr(small, name) + getattr(p, name))
        else:
            rows.append((region, kind, p))
    if small.subjects:
        rows.append((None, None, small))
    return [
        {
            "region": region,
            "kind": kind,
            "subjects": suppressed(p.subjects),
            "tier_changed": suppressed(p.tier_changed),
            "score_up": suppressed(p.up),
            "score_down": suppressed(p.down),
            "decisions_changed": suppressed(p.decisions_changed),
        }
        for region, kind, p in rows
    ]
