"""Two recomputes of one ledger compared, pack by pack: who moves tier, whose score moves and how
far, which list entries open or close, whose decision changes in each context, where (region and
kind), and which records count differently and why.

A subject belongs to the pack that scores it under the proposal (else under the rulebook as
adopted). A record counts differently when what it adds to the score on `as_of` changes (its
points, after merges and caps, if it counts) or, counting in both, its expiry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from credo.adapters.engines.protocol import Recomputed
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.measures import Entered, Standing, decide

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
    changes: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    opened: Counter[str] = field(default_factory=Counter)  # list id → entries
    closed: Counter[str] = field(default_factory=Counter)
    decisions: dict[str, Decisions] = field(default_factory=dict)  # context → counts
    places: dict[tuple[str, str], Place] = field(default_factory=dict)
    records: Counter[str] = field(default_factory=Counter)  # softened, repealed, ...
    by_rule: Counter[tuple[str | None, str | None, int, int]] = field(default_factory=Counter)
    # Each subject scored in both, now and as proposed; `changes` the second less the first.
    scores_now: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    scores_proposed: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def changed(self) -> bool:
        return bool(
            any(a != b for a, b in self.transitions)
            or bool(np.any(self.changes))
            or self.opened
            or self.closed
            or any(d.changed for d in self.decisions.values())
            or self.records
        )

    def score_change(self) -> dict[str, int]:
        """The median is the lower middle one: a change some subject has."""
        c = np.sort(self.changes)
        return {
            "up": int(np.count_nonzero(c > 0)),
            "down": int(np.count_nonzero(c < 0)),
            "unchanged": int(np.count_nonzero(c == 0)),
            "min": int(c[0]) if c.size else 0,
            "median": int(c[(c.size - 1) // 2]) if c.size else 0,
            "max": int(c[-1]) if c.size else 0,
        }


def compare(
    now: Recomputed,
    then: Recomputed,
    before: Rulebook,
    after: Rulebook,
    as_of: date,
    proposed: set[str],
) -> list[PackEffect]:
    """Per pack, in pack order: every proposed pack, and any other whose population changes.

    Subjects are counted in Arrow by what their decisions and counts depend on (pack, place,
    tier and lists open, now and as proposed); each such group is then judged once."""
    effects: dict[str, PackEffect] = {}

    def effect(pack: str) -> PackEffect:
        if pack not in effects:
            v_now, v_then = now.versions.get(pack), then.versions.get(pack)
            e = PackEffect(pack, v_now[0] if v_now else None, v_then[0] if v_then else None)
            version = (after.packs.get(pack) or before.packs[pack]).in_force(as_of)
            e.tiers = [t.name for t in version.pack.tiers] if version else []
            e.list_ids = [lst.id for lst in version.pack.lists] if version else []
            effects[pack] = e
        return effects[pack]

    both = _side_by_side(now, then)
    judging = _Judging(before, after, as_of)
    for g in _groups(both):
        e = effect(g["pack"])
        n = g["n"]
        e.subjects += n
        e.transitions[(g["tier_b"], g["tier_a"])] += n
        place = e.places.setdefault((g["region"] or "?", g["kind"] or "?"), Place())
        place.subjects += n
        place.up += g["up"]
        place.down += g["down"]
        place.tier_changed += g["tier_changed"]
        standing_b = _judged(g, "b")
        standing_a = _judged(g, "a")
        changed = judging.changes(standing_b, standing_a)
        for context, how in changed.items():
            d = e.decisions.setdefault(context, Decisions())
            setattr(d, how, getattr(d, how) + n)
        if changed:
            place.decisions_changed += n
        for context in judging.contexts(standing_b, standing_a):
            e.decisions.setdefault(context, Decisions())
    scored = both.filter(pc.and_(pc.is_valid(both["score_b"]), pc.is_valid(both["score_a"])))
    for pack in pc.unique(scored["pack"]).to_pylist():
        mine = scored.filter(pc.equal(scored["pack"], pack))
        e = effect(pack)
        e.scores_now = mine["score_b"].to_numpy()
        e.scores_proposed = mine["score_a"].to_numpy()
        e.changes = e.scores_proposed - e.scores_now
    opened = _entry_keys(then.entries) - _entry_keys(now.entries)
    closed = _entry_keys(now.entries) - _entry_keys(then.entries)
    owner = _owners(both, {k[0] for k in opened | closed})
    for key in opened:
        effect(owner[key[0]]).opened[key[1]] += 1
    for key in closed:
        effect(owner[key[0]]).closed[key[1]] += 1
    for row in _records_by_rule(_changed_records(now, then), both):
        e = effect(row["pack"])
        kind = _how(row["eff_b"], row["eff_a"], row["expiry"], row["merged"])
        if kind:
            e.records[kind] += row["one_sum"]
            e.by_rule[(row["rule_b"], row["rule_a"], row["eff_b"], row["eff_a"])] += row["one_sum"]
    for pack in proposed:
        if pack in before.packs or pack in after.packs:
            effect(pack)
    return [effects[p] for p in sorted(effects) if p in proposed or effects[p].changed]


def _side_by_side(now: Recomputed, then: Recomputed) -> pa.Table:
    """One row per subject scored in either run: score, tier, pack and open lists (as one
    sorted, comma-joined key) in each, and where the subject is."""

    def side(r: Recomputed, tag: str) -> pa.Table:
        s = r.scores.select(["subject_id", "score", "tier", "pack"])
        lists = _list_keys(r.entries)
        t = s.join(lists, "subject_id", join_type="left outer")
        names = ["subject_id", *(f"{c}_{tag}" for c in ("score", "tier", "pack", "lists"))]
        return t.select(["subject_id", "score", "tier", "pack", "lists"]).rename_columns(names)

    both = side(now, "b").join(side(then, "a"), "subject_id", join_type="full outer")
    places = [p for p in (then.standing, now.standing) if p is not None]
    if places:
        where = pa.concat_tables(places)
        first = pc.index_in(both["subject_id"], value_set=where["subject_id"])
        region, kind = where["region"].take(first), where["kind"].take(first)
    else:
        region = kind = pa.nulls(both.num_rows, pa.string())
    return (
        both.append_column("pack", pc.coalesce(both["pack_a"], both["pack_b"]))
        .append_column("region", region)
        .append_column("kind", kind)
    )


def _list_keys(entries: pa.Table) -> pa.Table:
    """subject_id → the ids of the lists it is on, sorted and joined by commas."""
    if entries.num_rows == 0:
        return pa.table(
            {"subject_id": pa.array([], pa.string()), "lists": pa.array([], pa.string())}
        )
    pairs = (
        entries.group_by(["subject_id", "list_id"])
        .aggregate([])
        .sort_by([("subject_id", "ascending"), ("list_id", "ascending")])
    )
    grouped = pairs.group_by("subject_id", use_threads=False).aggregate([("list_id", "list")])
    return pa.table(
        {
            "subject_id": grouped["subject_id"],
            "lists": pc.binary_join(grouped["list_id_list"], ","),
        }
    )


_KEYS = ["pack", "region", "kind", "pack_b", "tier_b", "lists_b", "pack_a", "tier_a", "lists_a"]


def _groups(both: pa.Table) -> list[dict[str, Any]]:
    """Subjects counted by everything their decisions and counts depend on."""
    valid = pc.and_(pc.is_valid(both["score_b"]), pc.is_valid(both["score_a"]))
    up = pc.and_(valid, pc.greater(both["score_a"], both["score_b"]))
    down = pc.and_(valid, pc.less(both["score_a"], both["score_b"]))
    moved = pc.and_(valid, pc.not_equal(both["tier_a"], both["tier_b"]))
    t = both.select(_KEYS).append_column("one", pa.array(np.ones(both.num_rows, np.int64)))
    for name, flag in (("up", up), ("down", down), ("tier_changed", moved)):
        t = t.append_column(name, pc.cast(pc.fill_null(flag, False), pa.int64()))
    rows = t.group_by(_KEYS).aggregate(
        [("one", "sum"), ("up", "sum"), ("down", "sum"), ("tier_changed", "sum")]
    )
    out = []
    for row in rows.to_pylist():
        row["n"] = row.pop("one_sum")
        for name in ("up", "down", "tier_changed"):
            row[name] = row.pop(f"{name}_sum")
        out.append(row)
    return out


def _records_by_rule(changed: pa.Table | None, both: pa.Table) -> list[dict[str, Any]]:
    """The changed records counted by their subject's pack, rules and points."""
    if changed is None or changed.num_rows == 0:
        return []
    owned = changed.join(both.select(["subject_id", "pack"]), "subject_id", join_type="left outer")
    keys = ["pack", "rule_b", "rule_a", "eff_b", "eff_a", "expiry", "merged"]
    rows: list[dict[str, Any]] = owned.group_by(keys).aggregate([("one", "sum")]).to_pylist()
    return rows


def _judged(g: Mapping[str, Any], side: str) -> Judged | None:
    pack = g[f"pack_{side}"]
    if pack is None:
        return None
    lists = g[f"lists_{side}"]
    return pack, g[f"tier_{side}"], frozenset(lists.split(",")) if lists else frozenset()


def _owners(both: pa.Table, subjects: set[str]) -> dict[str, str]:
    if not subjects:
        return {}
    mine = both.filter(pc.is_in(both["subject_id"], value_set=pa.array(sorted(subjects))))
    return dict(zip(mine["subject_id"].to_pylist(), mine["pack"].to_pylist(), strict=True))


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
    pair of standings is decided once, by the measures' own rule
    (`credo.domain.scoring.measures`)."""

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


def _changed_records(now: Recomputed, then: Recomputed) -> pa.Table | None:
    """The records whose verdict on `as_of` differs between the runs: their subject, rule and
    what they add to the score in each, and whether, counting in both, their expiry moved."""
    if now.contributions is None or then.contributions is None:
        return None
    b = now.contributions.select(_VERDICT)
    a = then.contributions.select(_VERDICT)
    if b.num_rows == a.num_rows and pc.all(pc.equal(b["record_id"], a["record_id"])).as_py():
        # The same ledger in the same order (an engine's usual answer): side by side as it is.
        joined = pa.table(
            {
                "record_id": b["record_id"],
                **{f"{c}_b": b[c] for c in _VERDICT[1:]},
                **{f"{c}_a": a[c] for c in _VERDICT[1:]},
            }
        )
    else:
        joined = b.join(
            a, keys="record_id", join_type="full outer", left_suffix="_b", right_suffix="_a"
        )
    differs = None
    for name in ("counted", "reason", "expires_on", "rule"):
        x, y = joined.column(f"{name}_b"), joined.column(f"{name}_a")
        one = pc.or_(pc.fill_null(pc.not_equal(x, y), False), pc.xor(pc.is_null(x), pc.is_null(y)))
        differs = one if differs is None else pc.or_(differs, one)
    changed = joined.filter(differs)
    subject = pc.coalesce(changed["subject_id_a"], changed["subject_id_b"])
    counts = pc.and_(pc.is_null(changed["reason_b"]), pc.is_null(changed["reason_a"]))
    expiry = pc.fill_null(pc.not_equal(changed["expires_on_b"], changed["expires_on_a"]), True)
    t = pa.table(
        {
            "subject_id": subject,
            "rule_b": changed["rule_b"],
            "rule_a": changed["rule_a"],
            "eff_b": _eff(changed, "b"),
            "eff_a": _eff(changed, "a"),
            "expiry": pc.and_(counts, expiry),
            "merged": pc.xor(_merged(changed, "b"), _merged(changed, "a")),
            "one": pa.array(np.ones(changed.num_rows, np.int64)),
        }
    )
    return t


def _merged(t: pa.Table, side: str) -> pa.ChunkedArray:
    return pc.fill_null(pc.equal(t[f"reason_{side}"], "merged"), False)


def _eff(t: pa.Table, side: str) -> pa.ChunkedArray:
    """What each record adds to the score on `as_of`: its points if it counts, else 0."""
    counted = pc.fill_null(t[f"counted_{side}"], 0)
    return pc.if_else(pc.is_null(t[f"reason_{side}"]), counted, 0)


def _how(was: int, will: int, expiry: bool, merged: bool) -> str | None:
    """A record merged into another of its case (or no longer) changes by the other's points,
    not by a rule of its own."""
    if merged and will != was:
        return "merged"
    if will > was:
        if was < 0:
            return "repealed" if will == 0 else "softened"
        return "rewarded"
    if will < was:
        return "lowered"
    return "expiry_changed" if expiry else None
