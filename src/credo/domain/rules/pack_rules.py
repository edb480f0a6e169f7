"""What a pack must hold together to mean anything.

`check_pack` takes a pack whose shape is valid and finds what does not fit (tiers out of order,
duplicate ids, references to things the pack does not declare), what its rules, lists and
measures would do that credo refuses (`refusals`), and, as warnings, what would do less than it
seems to (a list on an undeclared type, a repair that cannot find its entry). It returns
`Problem`s with the path of the key at fault; the caller turns paths into lines.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from credo.domain.rules.conditions import Path, Problem, check_when
from credo.domain.rules.fields import NUMERIC
from credo.domain.rules.packs import FieldSpec, Pack, RecordMatch, ScaledPoints
from credo.domain.rules.refusals import refusals, rewards

# --- coherence of a pack whose shape is valid ---------------------------------------------


def check_pack(pack: Pack) -> list[Problem]:
    return [
        *_score(pack),
        *_tiers(pack),
        *_duplicate_ids(pack),
        *_field_specs(pack),
        *_rules(pack),
        *_caps(pack),
        *_lists(pack),
        *_measures(pack),
        *refusals(pack),
    ]


def _score(pack: Pack) -> Iterator[Problem]:
    base, floor, ceiling = pack.score.base, pack.score.floor, pack.score.ceiling
    if floor is not None and ceiling is not None and floor > ceiling:
        yield Problem(("score", "floor"), f"floor {floor} is above ceiling {ceiling}")
    elif (floor is not None and base < floor) or (ceiling is not None and base > ceiling):
        bounds = ", ".join(
            f"{k} {v}" for k, v in (("floor", floor), ("ceiling", ceiling)) if v is not None
        )
        yield Problem(("score", "base"), f"base {base} lies outside the bounds ({bounds})")


def _tiers(pack: Pack) -> Iterator[Problem]:
    tiers, last = pack.tiers, len(pack.tiers) - 1
    names: dict[str, int] = {}
    for i, tier in enumerate(tiers):
        if tier.name in names:
            yield Problem(
                ("tiers", i, "name"),
                f"tier name `{tier.name}` is taken by tiers[{names[tier.name]}]",
            )
        names.setdefault(tier.name, i)
    if tiers[last].min is not None:
        yield Problem(
            ("tiers", last, "min"),
            "the last tier must be the catch-all `min: null`, which takes every score below "
            "the others; add one such as `- {name: D, min: null}`",
        )
    for i, tier in enumerate(tiers[:last]):
        if tier.min is None:
            yield Problem(
                ("tiers", i, "min"),
                f"only the last tier may have `min: null`; move `{tier.name}` to the end "
                "or give it a min",
            )
    above: tuple[str, int] | None = None
    for i, tier in enumerate(tiers):
        if tier.min is None:
            continue
        if above is not None and tier.min >= above[1]:
            yield Problem(
                ("tiers", i, "min"),
                f"tiers go from high to low: min {tier.min} must be below {above[1]}, "
                f"the min of `{above[0]}` above it",
            )
        above = (tier.name, tier.min)


def _duplicate_ids(pack: Pack) -> Iterator[Problem]:
    sections: dict[str, Iterable[Any]] = {
        "rules": pack.rules,
        "caps": pack.caps,
        "lists": pack.lists,
        "measures": pack.measures,
    }
    for section, items in sections.items():
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                yield Problem(
                    (section, i, "id"),
                    f"duplicate id `{item.id}`: {section}[{first[item.id]}] has it already",
                )
            first.setdefault(item.id, i)


def _field_specs(pack: Pack) -> Iterator[Problem]:
    for type_name, record_type in pack.record_types.items():
        for name, spec in record_type.fields.items():
            here = ("record_types", type_name, "fields", name)
            numeric = spec.type in NUMERIC
            for bound in ("min", "max"):
                if not numeric and getattr(spec, bound) is not None:
                    yield Problem(
                        (*here, bound), f"`{bound}` bounds numbers; field `{name}` is a {spec.type}"
                    )
            if numeric and spec.min is not None and spec.max is not None and spec.min > spec.max:
                yield Problem((*here, "min"), f"min {spec.min} is above max {spec.max}")
            if spec.enum is not None and spec.type != "string":
                yield Problem(
                    (*here, "enum"), f"`enum` lists strings; field `{name}` is a {spec.type}"
                )
            elif spec.enum == []:
                yield Problem((*here, "enum"), "`enum` needs at least one value")


def _rules(pack: Pack) -> Iterator[Problem]:
    matches_all: dict[str, tuple[int, str]] = {}
    for i, rule in enumerate(pack.rules):
        here = ("rules", i)
        yield from _match(pack, RecordMatch(record=rule.record, when=rule.when), here)
        record_type = pack.record_types.get(rule.record)
        if record_type is None:
            continue
        if isinstance(rule.points, ScaledPoints):
            yield from _scaled(rule.points, record_type.fields, rule.record, (*here, "points"))
        if rule.record in matches_all:
            j, other = matches_all[rule.record]
            yield Problem(
                here,
                f"rule `{rule.id}` never applies: rules[{j}] `{other}` matches every "
                f"`{rule.record}` record before it, and the first matching rule gives the points",
            )
        elif not rule.when:
            matches_all[rule.record] = (i, rule.id)


def _match(pack: Pack, match: RecordMatch, here: Path) -> Iterator[Problem]:
    record_type = pack.record_types.get(match.record)
    if record_type is None:
        yield Problem((*here, "record"), _undeclared(match.record, pack))
        return
    problems = list(check_when(match.when, record_type.fields, match.record, (*here, "when")))
    yield from problems or _enum_values(match.when, record_type.fields, (*here, "when"))


def _undeclared(name: str, pack: Pack) -> str:
    return f"record type `{name}` is not declared in `record_types`" + _nearest(
        name, pack.record_types
    )


def _nearest(name: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"; did you mean `{close[0]}`?"
    return f" (declared: {', '.join(known) or 'none'})"


def _enum_values(
    when: Mapping[str, object], fields: Mapping[str, FieldSpec], here: Path
) -> Iterator[Problem]:
    """Tests against values a field can never hold; run on a `when` that `check_when` passed."""
    for key, spec in when.items():
        if key == "any":
            assert isinstance(spec, list)
            for i, alt in enumerate(spec):
                yield from _enum_values(alt, fields, (*here, key, i))
            continue
        enum = fields[key].enum
        assert isinstance(spec, dict)
        for op, value in spec.items():
            for v in value if isinstance(value, list) else [value]:
                if enum and v not in enum:
                    yield Problem(
                        (*here, key, op),
                        f"`{v}` is not a value of field `{key}`" + _nearest(str(v), enum),
                    )


def _scaled(
    points: ScaledPoints, fields: Mapping[str, FieldSpec], record: str, here: Path
) -> Iterator[Problem]:
    spec = fields.get(points.per)
    if spec is None:
        yield Problem(
            (*here, "per"),
            f"`per` names a field of `{record}`; `{points.per}` is not one"
            + _nearest(points.per, fields),
        )
    elif spec.type not in NUMERIC:
        yield Problem(
            (*here, "per"), f"`per` needs a number field; `{points.per}` is a {spec.type}"
        )
    elif not spec.required:
        yield Problem(
            (*here, "per"),
            f"`per` needs a field every record has; `{points.per}` has `required: false`",
        )
    if points.each == 0:
        yield Problem(
            (*here, "each"), "`each: 0` gives no points; use a reward (> 0) or a penalty (< 0)"
        )
    elif points.cap is not None and (points.cap > 0) != (points.each > 0):
        yield Problem(
            (*here, "cap"),
            f"`cap` bounds the total, so it has the sign of `each` ({points.each}): "
            f"{points.cap} is not",
        )


def _caps(pack: Pack) -> Iterator[Problem]:
    rules = {rule.id: rule for rule in pack.rules}
    capped: dict[str, str] = {}
    for i, cap in enumerate(pack.caps):
        for j, rule_id in enumerate(cap.rules):
            rule = rules.get(rule_id)
            earlier = capped.setdefault(rule_id, cap.id)
            if earlier != cap.id:
                yield Problem(
                    ("caps", i, "rules", j),
                    f"rule `{rule_id}` is already limited by cap `{earlier}`; a rule counts "
                    "towards one cap at most",
                )
            elif rule is None:
                yield Problem(
                    ("caps", i, "rules", j),
                    f"no rule has id `{rule_id}`" + _nearest(rule_id, rules),
                )
            elif not rewards(rule):
                yield Problem(
                    ("caps", i, "rules", j),
                    f"a cap limits rewards, and rule `{rule_id}` does not give positive points",
                )


def _lists(pack: Pack) -> Iterator[Problem]:
    for i, spec in enumerate(pack.lists):
        here = ("lists", i)
        yield from _list_match(pack, spec.admit, (*here, "admit"), "this list admits nothing")
        if spec.repair is None:
            continue
        yield from _list_match(pack, spec.repair, (*here, "repair"), "this repair ends no entry")
        for part, match in (("admit", spec.admit), ("repair", spec.repair)):
            record_type = pack.record_types.get(match.record)
            if record_type is not None and record_type.case_ref != "required":
                yield Problem(
                    (*here, part, "record"),
                    _UNREPAIRABLE[part].format(record=match.record),
                    "warning",
                )


_UNREPAIRABLE = {
    "admit": (
        "`{record}` records need not carry a case_ref, and a repair ends an entry only by a "
        "record of the same subject and case_ref: an entry opened without one can never be "
        "repaired; add `case_ref: required` to record type `{record}`"
    ),
    "repair": (
        "`{record}` records need not carry a case_ref, and a repair ends an entry only by a "
        "record of the same subject and case_ref: one without it repairs nothing; add "
        "`case_ref: required` to record type `{record}`"
    ),
}


def _list_match(pack: Pack, match: RecordMatch, here: Path, none: str) -> Iterator[Problem]:
    """A list may name a record type its pack does not declare: it is then inert, not wrong
    (intake refuses records of a type no version of the pack declares), so a warning. Its
    `when` still has to make sense, and cannot without the type's fields."""
    if match.record in pack.record_types:
        yield from _match(pack, match, here)
        return
    yield Problem(
        (*here, "record"),
        f"{_undeclared(match.record, pack)}; records of a type no version of the pack declares "
        f"are refused at intake, so until one does, {none}",
        "warning",
    )
    yield from check_when(match.when, {}, match.record, (*here, "when"))


def _measures(pack: Pack) -> Iterator[Problem]:
    lists = [spec.id for spec in pack.lists]
    tiers = [tier.name for tier in pack.tiers]
    for i, measure in enumerate(pack.measures):
        here, when = ("measures", i), measure.when
        if (when.list is None) == (when.tier is None):
            both = when.list is not None
            yield Problem(
                (*here, "when"),
                "`when` names one of `list: LIST` or `tier: [TIER, ...]`"
                + (", not both" if both else ""),
            )
        if when.list is not None and when.list not in lists:
            yield Problem(
                (*here, "when", "list"),
                f"no list has id `{when.list}`" + _nearest(when.list, lists),
            )
        if when.tier == []:
            yield Problem((*here, "when", "tier"), "`tier` needs at least one tier name")
        for j, name in enumerate(when.tier or []):
            if name not in tiers:
                yield Problem(
                    (*here, "when", "tier", j), f"no tier is named `{name}`" + _nearest(name, tiers)
                )
        if measure.effect == "deny" and measure.terms:
            yield Problem((*here, "terms"), "`terms` belong to grant measures; a deny has none")
