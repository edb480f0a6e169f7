"""What a new version of a pack changes, part by part: rules (added, removed, changed, and moved,
since the first rule that matches a record gives its points), tiers, lists, measures, caps, record
types, the score's base and bounds, objection settings and the pack's own header.

Parts are compared by their id (a tier by its name) as the pack writes them; a value changed is
shown as it was and as it is. Nothing here says whether a change is allowed: `pack adopt`
decides that (SPEC §3).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from credo.domain.rules.packs import Pack

Part = Literal[
    "pack", "score", "objection", "tier", "record_type", "rule", "cap", "list", "measure"
]
PARTS: tuple[Part, ...] = Part.__args__  # type: ignore[attr-defined]
How = Literal["added", "removed", "changed", "moved"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Change:
    part: Part
    id: str
    how: How
    fields: tuple[FieldChange, ...] = ()
    # A rule that moved: its place among the rules for its record type, before and after.
    moved: tuple[int, int] | None = None
    record: str | None = None  # a rule's record type, where the first hit is decided


@dataclass(frozen=True, slots=True)
class PackDiff:
    pack: str
    old_version: int
    new_version: int
    old: Pack
    new: Pack
    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        return not self.changes

    def of(self, part: Part) -> list[Change]:
        return [c for c in self.changes if c.part == part]


# Version and date head every diff; these are the rest of the header.
_HEADER = ("pack", "jurisdiction", "subject_kinds", "title")


def diff_packs(old: Pack, new: Pack) -> PackDiff:
    """Every change from `old` to `new`, in the order the pack file is read."""
    o = old.model_dump(mode="json", exclude_none=True)
    n = new.model_dump(mode="json", exclude_none=True)
    changes: list[Change] = []
    header = _fields({k: o[k] for k in _HEADER}, {k: n[k] for k in _HEADER})
    if header:
        changes.append(Change("pack", new.pack, "changed", header))
    for part in ("score", "objection"):
        fields = _fields(o[part], n[part])
        if fields:
            changes.append(Change(part, part, "changed", fields))
    changes += _keyed("tier", o["tiers"], n["tiers"], key="name")
    changes += _tier_order(o["tiers"], n["tiers"])
    changes += _keyed("record_type", _as_rows(o["record_types"]), _as_rows(n["record_types"]))
    changes += _rules(o["rules"], n["rules"])
    changes += _keyed("cap", o["caps"], n["caps"])
    changes += _keyed("list", o["lists"], n["lists"])
    changes += _keyed("measure", o["measures"], n["measures"])
    return PackDiff(new.pack, old.version, new.version, old, new, tuple(changes))


def _as_rows(mapping: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"id": name, **body} for name, body in mapping.items()]


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    names = [*old, *(k for k in new if k not in old)]
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    )


def _keyed(
    part: Part,
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    *,
    key: str = "id",
) -> Iterator[Change]:
    before = {row[key]: row for row in old}
    after = {row[key]: row for row in new}
    for row in new:
        was = before.get(row[key])
        if was is None:
            yield Change(part, row[key], "added", _fields({}, _without(row, key)))
        else:
            fields = _fields(_without(was, key), _without(row, key))
            if fields:
                yield Change(part, row[key], "changed", fields)
    for row in old:
        if row[key] not in after:
            yield Change(part, row[key], "removed", _fields(_without(row, key), {}))


def _without(row: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != key and v is not None and v != {}}


def _tier_order(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Change]:
    both = {t["name"] for t in old} & {t["name"] for t in new}
    was = [t["name"] for t in old if t["name"] in both]
    now = [t["name"] for t in new if t["name"] in both]
    return [
        Change("tier", name, "moved", moved=(was.index(name) + 1, now.index(name) + 1))
        for name in now
        if was.index(name) != now.index(name)
    ]


def _rules(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Change]:
    """Rules by id, and those whose place among the rules for the same record type moved: the
    first rule that matches gives the points, so order is meaning."""
    changes = [
        Change(c.part, c.id, c.how, c.fields, record=_record_of(c.id, old, new))
        for c in _keyed("rule", old, new)
    ]
    for record in dict.fromkeys(r["record"] for r in new):
        both = {r["id"] for r in old if r["record"] == record} & {
            r["id"] for r in new if r["record"] == record
        }
        was = [r["id"] for r in old if r["id"] in both]
        now = [r["id"] for r in new if r["id"] in both and r["record"] == record]
        changes += [
            Change("rule", rid, "moved", moved=(was.index(rid) + 1, i + 1), record=record)
            for i, rid in enumerate(now)
            if was.index(rid) != i
        ]
    return changes


def _record_of(
    rule_id: str, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> str | None:
    for r in [*new, *old]:
        if r["id"] == rule_id:
            return str(r["record"])
    return None


def diff_json(d: PackDiff) -> dict[str, Any]:
    """The diff as `credo pack diff --json` prints it and `GET /v1/rulebook/{pack}/diff`
    serves it."""
    return {
        "pack": d.pack,
        "from": {"version": d.old_version, "effective_from": d.old.effective_from.isoformat()},
        "to": {"version": d.new_version, "effective_from": d.new.effective_from.isoformat()},
        "identical": d.identical,
        "changes": [
            {
                "part": c.part,
                "id": c.id,
                "change": c.how,
                **({"record": c.record} if c.record else {}),
                **({"moved": {"from": c.moved[0], "to": c.moved[1]}} if c.moved else {}),
                "fields": [{"field": f.field, "from": f.old, "to": f.new} for f in c.fields],
            }
            for c in d.changes
        ],
    }
