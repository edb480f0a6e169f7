"""`credo pack diff OLD NEW`: what a new version of a pack changes, readable or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from credo.cli.shared import Json, out

if TYPE_CHECKING:
    from rich.console import Console

    from credo.domain.rules.pack_diff import Change, PackDiff

_MARK = {"added": "+", "removed": "-", "changed": "~", "moved": "^"}
_HEADING = {
    "pack": "pack",
    "score": "score",
    "objection": "objections",
    "tier": "tiers",
    "record_type": "record types",
    "rule": "rules (the first that matches gives the points)",
    "cap": "caps",
    "list": "lists",
    "measure": "measures",
}


def pack_diff(
    old: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    new: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    json: Json = False,
) -> None:
    """What NEW changes from OLD, two versions of one pack: rules added, removed, changed or
    moved (first hit), tiers, record types, lists, measures, caps, score and objection settings."""
    from credo.cli.render import print_json
    from credo.domain.rules.pack_diff import diff_json
    from credo.services.packs.diff import diff_files

    d = diff_files(old, new)
    if json:
        print_json(out, diff_json(d))
    else:
        render_diff(out, d)


def render_diff(console: Console, d: PackDiff) -> None:
    console.print(
        f"{d.pack} v{d.old_version} (in force from {d.old.effective_from}) → "
        f"v{d.new_version} (in force from {d.new.effective_from})",
        markup=False,
    )
    if d.identical:
        console.print("no changes")
        return
    for part, heading in _HEADING.items():
        changes = [c for c in d.changes if c.part == part]
        if not changes:
            continue
        console.print(f"{heading}:", markup=False)
        for c in changes:
            console.print(f"  {line(c)}", markup=False, soft_wrap=True)
    counts = {how: sum(c.how == how for c in d.changes) for how in _MARK}
    console.print(", ".join(f"{n} {how}" for how, n in counts.items() if n))


def line(c: Change) -> str:
    head = f"{_MARK[c.how]} {c.id}"
    if c.how == "moved" and c.moved:
        among = f" among the rules for {c.record}" if c.record else ""
        return f"{head}: moved from place {c.moved[0]} to {c.moved[1]}{among}"
    if c.how == "removed":
        return f"{head} (removed)"
    shown = "; ".join(
        f"{f.field} {value(f.new)}"
        if c.how == "added"
        else f"{f.field} {value(f.old)} → {value(f.new)}"
        for f in c.fields
        if c.how != "added" or f.field in _SHOWN_WHEN_ADDED
    )
    return f"{head}: {shown}" if shown else head


_SHOWN_WHEN_ADDED = {
    "record",
    "when",
    "points",
    "valid_days",
    "min",
    "kind",
    "admit",
    "duration_days",
    "repair",
    "context",
    "effect",
    "terms",
    "rules",
    "max",
    "domain",
    "fields",
}


def value(v: Any) -> str:
    import orjson

    if v is None:
        return "none"
    if isinstance(v, dict | list):
        return orjson.dumps(v).decode()
    return str(v)
