"""The lines of SPEC §5 a pack may not cross, and the words `pack check` refuses them in.

`refusals` takes a pack whose shape is valid and finds what its rules, lists and measures would
do that credo refuses (a civic penalty, a deny on a tier alone) or would do less than it seems to
(a public list of persons). `lines_crossed` takes the plain content of a pack file, whatever its
shape, and refuses what it names (a domain beyond the seven, a ground such as religion, a field
pointing at another subject, anything hidden from its subject), so a refusal is never hidden
behind a typo. The grounds themselves, and the words that name them, are in `grounds`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from credo.domain.rules.conditions import Path, Problem
from credo.domain.rules.grounds import (
    COVERT_TERMS,
    RELATIONSHIPS,
    SUBJECT_POINTER_TERMS,
    VISIBILITY_TERMS,
    grounds_in,
    grounds_named,
    names_any,
)
from credo.domain.rules.packs import DOMAINS, Pack, Rule, ScaledPoints

CIVIC_ONLY_REWARDS = (
    "civic rules only reward (points > 0): nobody loses points for not volunteering"
)
DENY_NEEDS_LIST = (
    "a `deny` measure rests on a list, a legal instrument with its own basis and duration, "
    "never on a tier alone"
)
NOTHING_SECRET = (
    "nothing is secret from its subject: every record is visible to its subject, "
    "with its source and evidence"
)
SEVEN_DOMAINS = "credo rates conduct in seven domains only: " + ", ".join(DOMAINS)


def refused(reason: str, detail: str) -> str:
    return f"refused: {reason} (SPEC §5); {detail}"


def rewards(rule: Rule) -> bool:
    each = rule.points.each if isinstance(rule.points, ScaledPoints) else rule.points
    return each > 0


def refusals(pack: Pack) -> Iterator[Problem]:
    """The lines a valid pack can cross only through what its rules, lists and measures do."""
    domains = {name: record_type.domain for name, record_type in pack.record_types.items()}
    for i, rule in enumerate(pack.rules):
        if domains.get(rule.record) == "civic" and not rewards(rule):
            scaled = isinstance(rule.points, ScaledPoints)
            yield Problem(
                ("rules", i, "points", "each") if scaled else ("rules", i, "points"),
                refused(CIVIC_ONLY_REWARDS, "give this civic rule a reward, or drop it"),
            )
    for i, spec in enumerate(pack.lists):
        if spec.kind == "black" and domains.get(spec.admit.record) == "civic":
            yield Problem(
                ("lists", i, "admit", "record"),
                refused(CIVIC_ONLY_REWARDS, "a black list cannot admit on a civic record"),
            )
        if spec.public and set(pack.subject_kinds) == {"person"}:
            # Not a refusal: `public` is honoured for organisations only (SPEC §3), so here it
            # publishes nothing; the warning says so before anyone believes otherwise.
            yield Problem(
                ("lists", i, "public"),
                "`public: true` publishes nothing here: this pack rates persons only, and "
                "lists that hold persons are never published (SPEC §5); `public` is honoured "
                "for organisations only",
                "warning",
            )
    for i, measure in enumerate(pack.measures):
        if measure.effect == "deny" and measure.when.tier is not None:
            yield Problem(
                ("measures", i, "when", "tier"),
                refused(DENY_NEEDS_LIST, "name a list instead: `when: {list: LIST}`"),
            )


def lines_crossed(data: Mapping[str, object]) -> list[Problem]:
    """The lines a pack file crosses in what it names, checked on its plain content so that
    they are found whatever else is wrong with it."""
    return [*_domains(data), *_named_grounds(data), *_pointers(data), *_covert(data, ())]


def _domains(data: Mapping[str, object]) -> Iterator[Problem]:
    for name, record_type in _mapping(data.get("record_types")).items():
        domain = _mapping(record_type).get("domain")
        if isinstance(domain, str) and domain not in DOMAINS:
            yield Problem(
                ("record_types", name, "domain"),
                refused(SEVEN_DOMAINS, f"`{domain}` is not one of them"),
            )


def _named_grounds(data: Mapping[str, object]) -> Iterator[Problem]:
    for path, what, ground, found in grounds_in(data):
        said = ", ".join(f"`{w}`" for w in found)
        yield Problem(path, refused(ground.reason, f"the {what} says {said}"))


def _pointers(data: Mapping[str, object]) -> Iterator[Problem]:
    for type_name, record_type in _mapping(data.get("record_types")).items():
        for name in _mapping(_mapping(record_type).get("fields")):
            named = any(g is RELATIONSHIPS for g, _ in grounds_named(str(name)))
            if not named and names_any(str(name), SUBJECT_POINTER_TERMS):
                yield Problem(
                    ("record_types", type_name, "fields", name),
                    refused(RELATIONSHIPS.reason, f"field `{name}` points at another subject"),
                )


def _covert(node: object, path: Path) -> Iterator[Problem]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _covert(item, (*path, i))
    for key, value in _mapping(node).items():
        here = (*path, key)
        hidden = names_any(str(key), COVERT_TERMS)
        if hidden or (value is False and names_any(str(key), VISIBILITY_TERMS)):
            yield Problem(here, refused(NOTHING_SECRET, f"remove `{key}`"))
        yield from _covert(value, here)


def _mapping(node: object) -> Mapping[Any, object]:
    return node if isinstance(node, dict) else {}
