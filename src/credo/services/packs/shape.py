"""The shape of a pack (`credo.domain.rules.packs`), with pydantic's errors told as a rulebook
author would want to read them: where, what is wrong, and what would be right."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from credo.domain.rules.conditions import Path, Problem
from credo.domain.rules.packs import MAX_DAYS, Pack

_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "text",
    "list": "a list",
    "dict": "a mapping",
    "model": "a mapping",
    "model_attributes": "a mapping",
    "date": "a date such as 2026-01-01",
    "date_from_datetime": "a date such as 2026-01-01",
}

_NAME_RULE = "lowercase letters, digits, `.`, `_` or `-`, starting with a letter or digit"
_PATTERNS = {
    r"^[a-z0-9][a-z0-9._-]*$": _NAME_RULE,
    r"^[a-z0-9][a-z0-9-]*$": "lowercase letters, digits or `-`, starting with a letter or digit",
    r"\S": "some text",
}

_DAYS = f"days run from 1 to {MAX_DAYS:,}, a hundred years"
_SPANS = dict.fromkeys(("valid_days", "duration_days", "window_days", "review_days"), _DAYS)

_HINTS = {
    "basis": "the law or decision it rests on, e.g. `basis: Road Traffic Safety Law, art. 90`",
    "points": "a whole number such as -5, or scaled points {per: FIELD, step: N, each: N}",
    "min": "a number, or null for the last tier, which takes every score below",
    "record": "the record type it applies to",
    "domain": "one of judicial, tax, finance, regulatory, traffic, contract, civic",
    "when": "{list: LIST} or {tier: [TIER, ...]}",
}


@dataclass(frozen=True, slots=True)
class _Error:
    path: Path
    branch: int | None  # where a union alternative was tried, if it was
    detail: ErrorDetails


def shape_problems(data: object) -> tuple[Pack | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem((), "a pack is a mapping of keys such as `pack:`, `version:`")]
    try:
        return Pack.model_validate(data), []
    except ValidationError as e:
        errors = [_locate(data, d) for d in e.errors()]
    return None, _explain(_prune(errors))


def _locate(data: object, detail: ErrorDetails) -> _Error:
    """The error's path in the file, without the names pydantic gives union alternatives."""
    path: list[str | int] = []
    branch = None
    node = data
    loc = detail["loc"]
    for i, step in enumerate(loc):
        found, child = _child(node, step)
        if found:
            node = child
            path.append(step)
        elif i == len(loc) - 1 and detail["type"] == "missing":
            path.append(step)
        elif step != "[key]" and branch is None:
            branch = len(path)
    return _Error(tuple(path), branch, detail)


def _child(node: object, step: str | int) -> tuple[bool, object]:
    if isinstance(node, dict) and step in node:
        return True, node[step]
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return True, node[step]
    return False, None


def _prune(errors: list[_Error]) -> list[_Error]:
    """Of the alternatives of a union, keep the ones that went past a type mismatch."""
    deeper = {e.path[: e.branch] for e in errors if e.branch is not None and not _mismatch(e)}
    return [e for e in errors if not (_mismatch(e) and e.branch is not None and e.path in deeper)]


def _mismatch(e: _Error) -> bool:
    return e.detail["type"].endswith(("_type", "_parsing", "_from_float"))


def _explain(errors: list[_Error]) -> list[Problem]:
    problems: list[Problem] = []
    by_path: dict[Path, list[_Error]] = {}
    for e in errors:
        by_path.setdefault(e.path, []).append(e)
    for path, group in by_path.items():
        if len(group) > 1 and all(_mismatch(e) for e in group):
            problems.append(Problem(path, _expected(path, group)))
        else:
            problems.extend(Problem(path, _message(e)) for e in group)
    unknown = {p.path: p for p in problems if p.message.startswith("unknown key")}
    return [p for p in problems if not _superseded(p, unknown)]


def _superseded(p: Problem, unknown: Mapping[Path, Problem]) -> bool:
    """`pionts` reported as unknown also makes `points` missing; saying it once is enough."""
    if not p.message.startswith("`") or "is required" not in p.message:
        return False
    wanted = f"did you mean `{p.path[-1]}`?"
    return any(k[:-1] == p.path[:-1] and u.message.endswith(wanted) for k, u in unknown.items())


def _expected(path: Path, group: Iterable[_Error]) -> str:
    hint = _hint(path)
    if hint:
        return f"expected {hint}, got {_shown(next(iter(group)))}"
    kinds = list(dict.fromkeys(_kind(e) for e in group))
    if "a number" in kinds and "a whole number" in kinds:
        kinds.remove("a whole number")
    said = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
    return f"expected {said}, got {_shown(next(iter(group)))}"


def _message(e: _Error) -> str:
    kind, ctx, key = e.detail["type"], e.detail.get("ctx", {}), e.path[-1] if e.path else ""
    if kind == "missing":
        hint = _hint(e.path)
        return f"`{key}` is required" + (f": {hint}" if hint else "")
    if kind == "extra_forbidden":
        return _unknown_key(e.path)
    if key == "basis" and kind in ("string_too_short", "string_pattern_mismatch"):
        return "`basis` is empty: name the law or decision this rests on"
    if "[key]" in e.detail["loc"]:
        return f"`{key}` is not a valid name: use {_NAME_RULE}"
    if kind == "literal_error":
        return _not_one_of(e)
    if kind == "string_pattern_mismatch":
        rule = _PATTERNS.get(str(ctx.get("pattern")), "the form shown in the rulebook format")
        if key == "jurisdiction":
            rule = "a region code such as CN-SD-RC"
        return f"{_shown(e)} is not valid here: use {rule}"
    if kind in ("greater_than", "greater_than_equal", "less_than_equal"):
        word = {"greater_than": "more than", "greater_than_equal": "at least"}.get(kind, "at most")
        bound = ctx.get("gt", ctx.get("ge", ctx.get("le")))
        said = f"{bound:,}" if isinstance(bound, int) else str(bound)
        span = _SPANS.get(str(key))
        return f"must be {word} {said}{f' ({span})' if span else ''}, got {_shown(e)}"
    if kind == "too_short":
        return "needs at least one entry"
    if _mismatch(e):
        return f"expected {_kind(e)}, got {_shown(e)}"
    return str(e.detail["msg"])


def _hint(path: Path) -> str | None:
    key = str(path[-1]) if path else ""
    if key == "min" and path[0] != "tiers":
        return None
    return _HINTS.get(key)


def _kind(e: _Error) -> str:
    base = e.detail["type"].removesuffix("_type").removesuffix("_parsing")
    base = base.removesuffix("_from_float")
    return _KINDS.get(base, base.replace("_", " "))


def _shown(e: _Error) -> str:
    value = e.detail.get("input")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else f"`{value}`"


def _unknown_key(path: Path) -> str:
    key = str(path[-1])
    fields = sorted(_fields_at(path[:-1]))
    close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
    if close:
        return f"unknown key `{key}`; did you mean `{close[0]}`?"
    if not fields:
        return f"unknown key `{key}`"
    return f"unknown key `{key}`; the keys here are {', '.join(f'`{f}`' for f in fields)}"


def _not_one_of(e: _Error) -> str:
    allowed = [str(a) for a in get_args(_type_at(e.path))] or [str(e.detail.get("ctx"))]
    close = difflib.get_close_matches(str(e.detail.get("input")), allowed, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"{_shown(e)} is not one of {', '.join(allowed)}{hint}"


def _fields_at(path: Path) -> list[str]:
    tp = _unwrap(_type_at(path))
    options = get_args(tp) if _is_union(tp) else (tp,)
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
            return list(option.model_fields)
    return []


def _type_at(path: Path) -> Any:
    """The declared type at `path` in a pack, found by walking the pack model."""
    tp: Any = Pack
    for step in path:
        tp = _step(_unwrap(tp), step)
    return _unwrap(tp)


def _step(tp: Any, step: str | int) -> Any:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(step))
        return field.annotation if field else None
    origin = get_origin(tp)
    if origin is list:
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    if _is_union(tp):
        found = (_step(_unwrap(a), step) for a in get_args(tp))
        return next((f for f in found if f is not None), None)
    return None


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)
