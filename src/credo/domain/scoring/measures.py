"""Checks: what applies to a subject in one context on one date (SPEC §4.9).

A measure applies on a tier or on a list, so a check needs of a subject only its `Standing`:
the score and tier, and the list entries open on the date. `check` takes them from an
assessment of the ledger; `decide` from a standing kept elsewhere (a materialised score).

Each reason says how to object, with the last day to, for the record a list trigger names.
That day follows from the record's first notice, which only the ledger knows: the caller that
holds the ledger passes `windows`, asked only about the records a trigger names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from credo.domain.due_process.objections import ObjectionWindow
from credo.domain.rules.packs import Effect, Measure, Pack
from credo.domain.scoring.score import Assessment

ObjectionWindows = Callable[[str], ObjectionWindow]
"""A record's objection window, by record id
(`services.due_process.objections.objection_windows`)."""


Answer = Literal["allow", "deny"]
"""What a check answers: `deny` if any measure that applies denies."""


@dataclass(frozen=True, slots=True)
class Reason:
    measure: str
    effect: Effect
    trigger: dict[str, Any]
    basis: str
    objection: str


@dataclass(frozen=True, slots=True)
class Decision:
    subject_id: str
    context: str
    as_of: date
    decision: Answer
    terms: dict[str, Any] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()


class OpenEntry(Protocol):
    """A list entry open on the date checked: what a list trigger names."""

    @property
    def list_id(self) -> str: ...
    @property
    def record_id(self) -> str: ...
    @property
    def since(self) -> date: ...
    @property
    def until(self) -> date: ...


@dataclass(frozen=True, slots=True)
class Entered:
    """An open list entry as a check names it (`OpenEntry`), from an assessment's entries."""

    list_id: str
    record_id: str
    since: date
    until: date


@dataclass(frozen=True, slots=True)
class Standing:
    """All a check depends on: a subject's score and tier on `as_of` under `pack` (the version
    in force), and the list entries open on that date."""

    subject_id: str
    as_of: date
    pack: Pack
    score: int
    tier: str
    lists: Sequence[OpenEntry]


def check(assessment: Assessment, context: str, *, windows: ObjectionWindows | None) -> Decision:
    a = assessment
    lists = [Entered(e.list_id, e.record.record_id, e.since, e.until) for e in a.lists]
    standing = Standing(a.subject_id, a.as_of, a.version.pack, a.score, a.tier, lists)
    return decide(standing, context, windows=windows)


def decide(standing: Standing, context: str, *, windows: ObjectionWindows | None) -> Decision:
    """The decision in `context`. `windows` gives the objection window of each record a list
    trigger names; None where nobody reads the reasons' `objection` (the change feed, a
    comparison of which measures apply), which then names the record without its dates."""
    s = standing
    reasons: list[Reason] = []
    for measure in s.pack.measures:
        if measure.context != context:
            continue
        trigger = _trigger(measure, s)
        if trigger is None:
            continue
        reasons.append(
            Reason(
                measure.id,
                measure.effect,
                trigger,
                measure.basis,
                _how_to_object(trigger, windows, s.as_of),
            )
        )
    if any(r.effect == "deny" for r in reasons):
        return Decision(s.subject_id, context, s.as_of, "deny", {}, tuple(reasons))
    terms: dict[str, Any] = {}
    applied = {r.measure for r in reasons}
    for measure in s.pack.measures:  # pack order: a later grant's terms override an earlier one's
        if measure.id in applied:
            terms.update(measure.terms)
    return Decision(s.subject_id, context, s.as_of, "allow", terms, tuple(reasons))


def _trigger(measure: Measure, s: Standing) -> dict[str, Any] | None:
    if measure.when.list is not None:
        entries = [e for e in s.lists if e.list_id == measure.when.list]
        if not entries:
            return None
        # The earliest entry, whatever order the entries were kept in.
        e = min(entries, key=lambda e: (e.since, e.record_id))
        return {
            "list": e.list_id,
            "record_id": e.record_id,
            "since": e.since.isoformat(),
            "until": e.until.isoformat(),
        }
    if measure.when.tier is not None and s.tier in measure.when.tier:
        # The tier, not the score: a consumer learns the decision and its reasons (SPEC §5),
        # and the band is the reason; the subject reads its own score elsewhere.
        return {"tier": s.tier}
    return None


def _how_to_object(trigger: dict[str, Any], windows: ObjectionWindows | None, as_of: date) -> str:
    if "record_id" not in trigger:
        return "A tier follows from records; object to any record that is wrong."
    record_id = trigger["record_id"]
    see = "see every record with `credo explain`."
    if windows is None:
        return f"Object to record {record_id} within the window its notice gives; {see}"
    w = windows(record_id)
    if as_of > w.closes:
        return (
            f"The window to object to record {record_id} closed at the end of {w.closes} "
            f"({(w.closes - w.opened).days} days after {w.since}); a record that is wrong can "
            f"still be withdrawn by the provider that reported it; {see}"
        )
    return (
        f"Object to record {record_id} by the end of {w.closes} (the objection window runs "
        f"{(w.closes - w.opened).days} days after {w.since}); {see}"
    )
