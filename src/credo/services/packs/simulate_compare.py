"""Two recomputes of one ledger compared, pack by pack: who moves tier, whose score moves and how
far, which list entries open or close, whose decision changes in each context, where (region and
kind), and which records count differently and why.

A subject belongs to the pack that scores it under the proposal (else under the rulebook as
adopted). A record counts differently when what it adds to the score on `as_of` changes (its
points, after merges and caps, if it counts) or, counting in both, its expiry.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from credo.adapters.engines.protocol import Recomputed
from credo.domain.measures import Entered, Standing, decide
from credo.domain.packs import Pack
from credo.domain.rulebook import Rulebook
from credo.services.portal.population import MIN_CELL

BY_RULE_SHOWN = 20  # the commonest ways records count differently, by rule


@dataclass
class Decisions:
    allow_to_deny: int = 0
    deny_to_allow: int = 0
    terms_changed: int = 0

    @property
    def changed(self) -> int:
        return self.allow_to_deny + self.deny_to_allow + self.terms_changed


@dataclass
class Place:
    """The changes among one region's subjects of one kind."""

    subjects: int = 0
    tier_changed: int = 0
    up: int = 0
    down: int = 0
    decisions_changed: int = 0


@dataclass
class PackEffect:
    pack: str
    version_now: int | None
    version_proposed: int | None
    subjects: int = 0
    transitions: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    tiers: list[str] = field(default_factory=list)  # the proposal's tiers, high to low
    list_ids: list[str] = field(default_factory=list)  # the proposal's lists
    changes: list[int] = field(default_factory=list)  # score under the proposal less now
    opened: Counter[str] = field(default_factory=Counter)  # list id → entries
    closed: Counter[str] = field(default_factory=Counter)
    decisions: dict[str, Decisions] = field(default_factory=dict)  # context → counts
    places: dict[tuple[str, str], Place] = field(default_factory=dict)
    records: Counter[str] = field(default_factory=Counter)  # softened, repealed, ...
    by_rule: Counter[tuple[str | None, str | None, int, int]] = field(default_factory=Counter)
    scores_now: list[int] = field(default_factory=list)
    scores_proposed: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            any(a != b for a, b in self.transitions)
            or any(self.changes)
            or self.opened
            or self.closed
            or any(d.changed for d in self.decisions.values())
            or self.records
        )

    def score_change(self) -> dict[str, int]:
        c = self.changes
        return {
            "up": sum(d > 0 for d in c),
            "down": sum(d < 0 for d in c),
            "unchanged": sum(d == 0 for d in c),
            "min": min(c, default=0),
            "median": statistics.median_low(c) if c else 0,
            "max": max(c, default=0),
        }


def compare(
    now: Recomputed,
    then: Recomputed,
    before: Rulebook,
    after: Rulebook,
    as_of: date,
    proposed: set[str],
) -> list[PackEffect]:
    """Per pack, in pack order: every proposed pack, and any other whose population changes."""
    b, a = _subjects(now), _subjects(then)
    where = {**_places(now), **_places(then)}
    lists_b, lists_a = _lists(now.entries), _lists(then.entries)
    effects: dict[str, PackEffect] = {}
    owner: dict[str, str] = {}

    def effect(pack: str) -> PackEffect:
        if pack not in effects:
            v_now, v_then = now.versions.get(pack), then.versions.get(pack)
            e = PackEffect(pack, v_now[0] if v_now else None, v_then[0] if v_then else None)
            version = (after.packs.get(pack) or before.packs[pack]).in_force(as_of)
            e.tiers = [t.name for t in version.pack.tiers] if version else []
            e.list_ids = [lst.id for lst in version.pack.lists] if version else []
            effects[pack] = e
        return effects[pack]

    judging = _Judging(before, after, as_of)
    for subject in b.keys() | a.keys():
        was, will = b.get(subject), a.get(subject)
        pack = str((will or was)[2])  # type: ignore[index]
        owner[subject] = pack
        e = effect(pack)
        e.subjects += 1
        e.transitions[(was[1] if was else None, will[1] if will else None)] += 1
        place = e.places.setdefault(where.get(subject, ("?", "?")), Place())
        place.subjects += 1
        if was and will:
            e.changes.append(will[0] - was[0])
            e.scores_now.append(was[0])
            e.scores_proposed.append(will[0])
            place.up += will[0] > was[0]
            place.down += will[0] < was[0]
        place.tier_changed += bool(was and will and was[1] != will[1])
        standing_b = (was[2], was[1], lists_b.get(subject, frozenset())) if was else None
        standing_a = (will[2], will[1], lists_a.get(subject, frozenset())) if will else None
        changed = judging.changes(standing_b, standing_a)
        for context, how in changed.items():
            d = e.decisions.setdefault(context, Decisions())
            setattr(d, how, getattr(d, how) + 1)
        place.decisions_changed += any(how for how in changed.values())
        for context in judging.contexts(standing_b, standing_a):
            e.decisions.setdefault(context, Decisions())
    for key in _entry_keys(then.entries) - _entry_keys(now.entries):
        effect(owner[key[0]]).opened[key[1]] += 1
    for key in _entry_keys(now.entries) - _entry_keys(then.entries):
        effect(owner[key[0]]).closed[key[1]] += 1
    for row in _changed_records(now, then):
        e = effect(owner[row["subject_id"]])
        kind = _how(row)
        if kind:
            e.records[kind] += 1
            e.by_rule[(row["rule_b"], row["rule_a"], _eff(row, "b"), _eff(row, "a"))] += 1
    for pack in proposed:
        if pack in before.packs or pack in after.packs:
            effect(pack)
    return [effects[p] for p in sorted(effects) if p in proposed or effects[p].changed]


def _subjects(r: Recomputed) -> dict[str, tuple[int, str, str]]:
    """subject → (score, tier, pack)."""
    s = r.scores
    return {
        sid: (score, tier, pack)
        for sid, score, tier, pack in zip(
            s.column("subject_id").to_pylist(),
            s.column("score").to_pylist(),
            s.column("tier").to_pylist(),
            s.column("pack").to_pylist(),
            strict=True,
        )
    }


def _places(r: Recomputed) -> dict[str, tuple[str, str]]:
    if r.standing is None:
        return {}
    t = r.standing
    return dict(
        zip(
            t.column("subject_id").to_pylist(),
            zip(t.column("region").to_pylist(), t.column("kind").to_pylist(), strict=True),
            strict=True,
        )
    )


def _lists(entries: pa.Table) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for sid, lid in zip(
        entries.column("subject_id").to_pylist(), entries.column("list_id").to_pylist(), strict=True
    ):
        found.setdefault(sid, set()).add(lid)
    return {sid: frozenset(ids) for sid, ids in found.items()}


def _entry_keys(entries: pa.Table) -> set[tuple[str, str, str]]:
    return set(
        zip(
            entries.column("subject_id").to_pylist(),
            entries.column("list_id").to_pylist(),
            entries.column("record_id").to_pylist(),
            strict=True,
        )
    )


Judged = tuple[str, str, frozenset[str]]  # pack, tier, lists open


class _Judging:
    """Decisions depend on a subject's pack, tier and open lists only (SPEC §4.9): each distinct
    pair of standings is decided once, by the measures' own rule (`credo.domain.measures`)."""

    def __init__(self, before: Rulebook, after: Rulebook, as_of: date) -> None:
        self.as_of = as_of
        self.packs = {
            "b": _in_force(before, as_of),
            "a": _in_force(after, as_of),
        }
        self._seen: dict[tuple[Judged | None, Judged | None], dict[str, str]] = {}

    def contexts(self, b: Judged | None, a: Judged | None) -> list[str]:
        out: list[str] = []
        for side, s in (("b", b), ("a", a)):
            if s and s[0] in self.packs[side]:
                out += [m.context for m in self.packs[side][s[0]].measures]
        return list(dict.fromkeys(out))

    def changes(self, b: Judged | None, a: Judged | None) -> dict[str, str]:
        """context → how its decision changes (allow_to_deny, deny_to_allow, terms_changed)."""
        key = (b, a)
        if key not in self._seen:
            self._seen[key] = self._changes(b, a)
        return self._seen[key]

    def _changes(self, b: Judged | None, a: Judged | None) -> dict[str, str]:
        out = {}
        for context in self.contexts(b, a):
            was, will = self._decide("b", b, context), self._decide("a", a, context)
            if was is None or will is None or was == will:
                continue
            if was[0] != will[0]:
                out[context] = "allow_to_deny" if will[0] == "deny" else "deny_to_allow"
            else:
                out[context] = "terms_changed"
        return out

    def _decide(self, side: str, s: Judged | None, context: str) -> tuple[str, str] | None:
        if s is None or s[0] not in self.packs[side]:
            return None
        lists = [Entered(lid, "", self.as_of, self.as_of) for lid in sorted(s[2])]
        standing = Standing("", self.as_of, self.packs[side][s[0]], 0, s[1], lists)
        d = decide(standing, context, windows=None)
        return d.decision, repr(sorted(d.terms.items()))


def _in_force(rulebook: Rulebook, as_of: date) -> dict[str, Pack]:
    return {h.id: v.pack for h in rulebook.packs.values() if (v := h.in_force(as_of)) is not None}


_VERDICT = ["record_id", "subject_id", "rule", "expires_on", "reason", "counted"]


def _changed_records(now: Recomputed, then: Recomputed) -> Iterable[Mapping[str, Any]]:
    """The records whose verdict on `as_of` differs between the runs."""
    if now.contributions is None or then.contributions is None:
        return []
    b = now.contributions.select(_VERDICT)
    a = then.contributions.select(_VERDICT)
    joined = b.join(
        a, keys="record_id", join_type="full outer", left_suffix="_b", right_suffix="_a"
    )
    differs = None
    for name in ("counted", "reason", "expires_on", "rule"):
        x, y = joined.column(f"{name}_b"), joined.column(f"{name}_a")
        one = pc.or_(pc.fill_null(pc.not_equal(x, y), False), pc.xor(pc.is_null(x), pc.is_null(y)))
        differs = one if differs is None else pc.or_(differs, one)
    rows: list[dict[str, Any]] = joined.filter(differs).to_pylist()
    for row in rows:
        row["subject_id"] = row["subject_id_a"] or row["subject_id_b"]
    return rows


def _eff(row: Mapping[str, Any], side: str) -> int:
    """What the record adds to the score on `as_of`."""
    if row[f"reason_{side}"] is not None:
        return 0
    return int(row[f"counted_{side}"] or 0)


def _how(row: Mapping[str, Any]) -> str | None:
    was, will = _eff(row, "b"), _eff(row, "a")
    if will > was:
        if was < 0:
            return "repealed" if will == 0 else "softened"
        return "rewarded"
    if will < was:
        return "lowered"
    counts = row["reason_b"] is None and row["reason_a"] is None
    return "expiry_changed" if counts and row["expires_on_b"] != row["expires_on_a"] else None


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
    both = e.scores_now + e.scores_proposed
    if not both:
        return {"edges": [], "now": [], "proposed": []}
    low, high = min(both), max(both) + 1
    width = max(1, -(-(high - low) // HISTOGRAM_BINS))
    edges = [low + i * width for i in range(-(-(high - low) // width) + 1)]

    def counts(scores: list[int]) -> list[int | None]:
        c = Counter((s - low) // width for s in scores)
        n = [c[i] for i in range(len(edges) - 1)]
        return [suppressed(x) for x in n] if published else list(n)

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
