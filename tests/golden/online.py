"""The online path as a golden-case engine: `explain` and `check` from the domain, per subject.

Another engine (a population engine over DuckDB or Spark) joins the golden suite by offering a
function of the same shape, `run(case) -> {subject id: observed}`, in `test_golden.ENGINES`.
"""

from __future__ import annotations

from typing import Any

from credo.domain.scoring.explanation import explain
from credo.domain.scoring.measures import Decision, check
from credo.services.rating.explanation_json import explanation_json
from tests.golden.cases import GoldenCase


def run_online(case: GoldenCase) -> dict[str, dict[str, Any]]:
    rulebook = case.rulebook()
    refs = case.source_refs()
    contexts = sorted(
        {m.context for p in case.packs for m in p.measures}
        | {c for e in case.expect.values() for c in e.get("checks", {})}
    )
    observed: dict[str, dict[str, Any]] = {}
    for subject_id, records in case.ledger().items():
        explanation = explain(subject_id, rulebook, records, case.as_of)
        a = explanation.assessment
        out = _with_source_refs(explanation_json(explanation), refs)
        out["unclamped"] = a.unclamped
        # The golden decisions name measures, not the reasons' objection windows.
        out["checks"] = {c: _decision(check(a, c, windows=None)) for c in contexts}
        observed[subject_id] = out
    return observed


def _with_source_refs(doc: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    """Expectations name records by source_ref: translate every record id the JSON holds, and
    spell out the keys the JSON leaves out when they say nothing."""
    for section, link in (
        ("contributions", None),
        ("excluded", "merged_into"),
        ("lists", "repaired_by"),
    ):
        items = []
        for item in doc[section]:
            item = {**item, "source_ref": refs[item["record_id"]]}
            if link is not None:
                item[link] = refs[item[link]] if item.get(link) else None
            else:
                item.setdefault("points_then", item["points"])
                item.setdefault("capped_by", None)
            items.append(item)
        doc[section] = items
    return doc


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "decision": d.decision,
        "terms": dict(d.terms),
        "reasons": [r.measure for r in d.reasons],
    }
