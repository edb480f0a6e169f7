"""Checks: what applies to a subject in one context on one date (SPEC §4.9)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from credo.domain.packs import Measure
from credo.domain.scoring import Assessment


@dataclass(frozen=True, slots=True)
class Reason:
    measure: str
    effect: Literal["deny", "grant"]
    trigger: dict[str, Any]
    basis: str
    objection: str


@dataclass(frozen=True, slots=True)
class Decision:
    subject_id: str
    context: str
    as_of: date
    decision: Literal["allow", "deny"]
    terms: dict[str, Any] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()


def check(assessment: Assessment, context: str) -> Decision:
    pack = assessment.version.pack
    window = pack.objection.window_days
    reasons: list[Reason] = []
    for measure in pack.measures:
        if measure.context != context:
            continue
        trigger = _trigger(measure, assessment)
        if trigger is None:
            continue
        reasons.append(
            Reason(
                measure.id,
                measure.effect,
                trigger,
                measure.basis,
                _how_to_object(trigger, window, assessment.as_of),
            )
        )
    a = assessment
    if any(r.effect == "deny" for r in reasons):
        return Decision(a.subject_id, context, a.as_of, "deny", {}, tuple(reasons))
    terms: dict[str, Any] = {}
    applied = {r.measure for r in reasons}
    for measure in pack.measures:  # pack order: a later grant's terms override an earlier one's
        if measure.id in applied:
            terms.update(measure.terms)
    return Decision(a.subject_id, context, a.as_of, "allow", terms, tuple(reasons))


def _trigger(measure: Measure, a: Assessment) -> dict[str, Any] | None:
    if measure.when.list is not None:
        entries = [e for e in a.lists if e.list_id == measure.when.list]
        if not entries:
            return None
        e = entries[0]
        return {
            "list": e.list_id,
            "record_id": e.record.record_id,
            "since": e.since.isoformat(),
            "until": e.until.isoformat(),
        }
    if measure.when.tier is not None and a.tier in measure.when.tier:
        return {"tier": a.tier, "score": a.score}
    return None


def _how_to_object(trigger: dict[str, Any], window_days: int, as_of: date) -> str:
    if "record_id" in trigger:
        since = date.fromisoformat(trigger["since"])
        closes = since + timedelta(days=window_days)
        return (
            f"Object to record {trigger['record_id']} "
            f"(objections are open for {window_days} days after notice; from {since} that is "
            f"until {closes}); see every record with `credo explain`."
        )
    return "A tier follows from records; object to any record that is wrong."
