"""Compares what an engine observed with what a golden case expects, key by key.

An engine reports, for each subject, a plain mapping (dates as ISO strings):

    pack, pack_version, base, score, unclamped, tier
    contributions: [{source_ref, source, type, rule, points, points_then, occurred_at,
                     expires_on, capped_by}]
    excluded:      [{source_ref, reason, rule, merged_into}]        # merged_into: a source_ref
    lists:         [{list, kind, source_ref, since, until, repaired_by}]
    next_change:   {on, score, tier} or None
    checks:        {context: {decision, terms, reasons: [measure ids]}}

Only the keys an expectation names are compared, so a case states just what it is about. Where
it names `contributions`, `excluded` or `lists`, it names all of them: the records on each side
must be the same, and each item is compared on the keys the expectation gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

Observed = Mapping[str, Any]

_ITEMS = {
    "contributions": ("source_ref",),
    "excluded": ("source_ref",),
    "lists": ("list", "source_ref"),
}


def compare(expect: Mapping[str, Mapping[str, Any]], observed: Mapping[str, Observed]) -> list[str]:
    """Every difference, as a readable line; an empty list means the case passes."""
    problems: list[str] = []
    for subject, wanted in expect.items():
        got = observed.get(subject)
        if got is None:
            problems.append(f"{subject}: not observed")
            continue
        for key, value in wanted.items():
            problems.extend(
                f"{subject}.{line}" for line in _compare_key(key, plain(value), got.get(key))
            )
    return problems


def plain(value: Any) -> Any:
    """Expectations as an engine reports them: dates in ISO form."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _compare_key(key: str, wanted: Any, got: Any) -> list[str]:
    if key in _ITEMS:
        return _compare_items(key, _ITEMS[key], wanted, got or [])
    if key == "checks":
        return _compare_checks(wanted, got or {})
    if key == "next_change" and isinstance(wanted, Mapping) and isinstance(got, Mapping):
        return [
            f"next_change.{k}: expected {v!r}, observed {got.get(k)!r}"
            for k, v in wanted.items()
            if got.get(k) != v
        ]
    if wanted != got:
        return [f"{key}: expected {wanted!r}, observed {got!r}"]
    return []


def _compare_items(
    key: str, identity: tuple[str, ...], wanted: list[Mapping[str, Any]], got: list[Observed]
) -> list[str]:
    def ident(item: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(item.get(k) for k in identity)

    by_id = {ident(item): item for item in got}
    problems: list[str] = []
    wanted_ids = [ident(w) for w in wanted]
    for missing in [i for i in wanted_ids if i not in by_id]:
        problems.append(f"{key}: expected {_name(identity, missing)}, not observed")
    for extra in [i for i in by_id if i not in wanted_ids]:
        problems.append(f"{key}: observed {_name(identity, extra)}, not expected")
    for w in wanted:
        g = by_id.get(ident(w))
        if g is None:
            continue
        for k, v in w.items():
            if g.get(k) != v:
                name = _name(identity, ident(w))
                problems.append(f"{key}[{name}].{k}: expected {v!r}, observed {g.get(k)!r}")
    return problems


def _compare_checks(wanted: Mapping[str, Any], got: Mapping[str, Observed]) -> list[str]:
    problems: list[str] = []
    for context, w in wanted.items():
        g = got.get(context)
        if g is None:
            problems.append(f"checks[{context}]: not observed")
            continue
        expected = {"decision": w} if isinstance(w, str) else dict(w)
        for k, v in expected.items():
            observed = sorted(g.get(k, [])) if k == "reasons" else g.get(k)
            if k == "reasons":
                v = sorted(v)
            if observed != v:
                problems.append(f"checks[{context}].{k}: expected {v!r}, observed {observed!r}")
    return problems


def _name(identity: tuple[str, ...], values: tuple[Any, ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(identity, values, strict=True))
