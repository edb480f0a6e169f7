"""One valid pack, and small edits of it, so each test shows only what it changes."""

from __future__ import annotations

BASE = """\
pack: rongcheng
version: 1
effective_from: 2026-01-01
jurisdiction: CN-SD-RC
subject_kinds: [person]
title: Rongcheng conduct rulebook
score: {base: 1000, floor: 0, ceiling: 2000}
tiers:
  - {name: AAA, min: 1050}
  - {name: A, min: 960}
  - {name: B, min: 850}
  - {name: D, min: null}
objection: {window_days: 7, while_disputed: suspend, review_days: 15}
record_types:
  traffic.violation:
    domain: traffic
    description: A traffic offence decided by the traffic police
    fields:
      severity: {type: integer, min: 1, max: 5}
  tax.arrears:
    domain: tax
    fields:
      amount: {type: number, min: 0}
  court.judgment_default:
    domain: judicial
    case_ref: required
  court.judgment_satisfied:
    domain: judicial
    case_ref: required
  civic.volunteering:
    domain: civic
    fields:
      hours: {type: integer, min: 1}
rules:
  - id: traffic-minor
    record: traffic.violation
    when: {severity: {lte: 2}}
    points: -5
    valid_days: 365
    basis: Road Traffic Safety Law, art. 90
  - id: tax-arrears
    record: tax.arrears
    points: {per: amount, step: 10000, each: -10, cap: -100}
    valid_days: 730
    basis: Tax Collection Administration Law, art. 32
  - id: volunteering
    record: civic.volunteering
    points: {per: hours, step: 10, each: 1, cap: 20}
    valid_days: 365
    basis: Regulation on Volunteer Service, art. 5
caps:
  - {id: civic-yearly, rules: [volunteering], max: 30, basis: Municipal decision 2025-14}
lists:
  - id: judgment-defaulters
    kind: black
    admit: {record: court.judgment_default}
    duration_days: 365
    repair: {record: court.judgment_satisfied}
    basis: Supreme People's Court provisions on judgment defaulters, art. 1
measures:
  - id: no-high-speed-rail
    context: rail.high-speed-ticket
    effect: deny
    when: {list: judgment-defaulters}
    basis: Supreme People's Court provisions on judgment defaulters, art. 3
  - id: bike-deposit-waived
    context: bike.rental
    effect: grant
    terms: {deposit: 0, free_minutes: 30}
    when: {tier: [AAA]}
    basis: Municipal decision 2025-9
"""

_SECTIONS = ("record_types", "rules", "caps", "lists", "measures")


def replace(old: str, new: str, text: str = BASE) -> str:
    """`text` with its one occurrence of `old` replaced, so a test breaks if the base moves."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def add(section: str, item: str, text: str = BASE) -> str:
    """`text` with `item` (YAML, written from column 0) appended to a top-level section."""
    assert section in _SECTIONS, section
    lines = text.splitlines(keepends=True)
    start = lines.index(f"{section}:\n")
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines)
    )
    added = ["  " + line if line.strip() else line for line in item.strip("\n").splitlines(True)]
    if not added[-1].endswith("\n"):
        added[-1] += "\n"
    return "".join(lines[:end] + added + lines[end:])


def line_of(text: str, needle: str) -> int:
    """The 1-based line holding `needle`, which must occur on exactly one line."""
    found = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]
