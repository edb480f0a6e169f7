"""An explanation (SPEC §6) as JSON: the one shape the command line prints and the API sends."""

from __future__ import annotations

from typing import Any

from credo.domain.scoring.explanation import Explanation


def explanation_json(e: Explanation) -> dict[str, Any]:
    """What `credo explain --json` prints and the API answers; optional keys only where they
    say something (a milder rule now, a cap, a case, another pack)."""
    a = e.assessment
    leaf = e.leaf_indexes
    return {
        "subject": a.subject_id,
        "as_of": a.as_of.isoformat(),
        "pack": a.version.id,
        "pack_version": a.version.version,
        "pack_checksum": a.version.checksum,
        "base": a.base,
        "score": a.score,
        "tier": a.tier,
        "contributions": [
            {
                "record_id": c.record.record_id,
                "source": c.record.source,
                "source_ref": c.record.source_ref,
                "type": c.record.type,
                "rule": c.rule,
                "points": c.points,
                "occurred_at": c.record.occurred_at.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
                **({"leaf_index": leaf[c.record.record_id]} if c.record.record_id in leaf else {}),
                **({"points_then": c.points_then} if c.points_then != c.points else {}),
                **({"capped_by": c.capped_by} if c.capped_by else {}),
                **({"case_ref": c.record.case_ref} if c.record.case_ref else {}),
                **({"pack": c.pack} if c.pack and c.pack != a.version.id else {}),
            }
            for c in a.contributions
        ],
        "excluded": [
            {
                "record_id": x.record.record_id,
                "source": x.record.source,
                "source_ref": x.record.source_ref,
                "type": x.record.type,
                "occurred_at": x.record.occurred_at.isoformat(),
                "reason": x.reason,
                **({"leaf_index": leaf[x.record.record_id]} if x.record.record_id in leaf else {}),
                **({"rule": x.rule} if x.rule else {}),
                **({"merged_into": x.merged_into} if x.merged_into else {}),
                **({"pack": x.pack} if x.pack and x.pack != a.version.id else {}),
            }
            for x in a.excluded
        ],
        "lists": [
            {
                "list": entry.list_id,
                "kind": entry.kind,
                "record_id": entry.record.record_id,
                "since": entry.since.isoformat(),
                "until": entry.until.isoformat(),
                **({"repaired_by": entry.repaired_by} if entry.repaired_by else {}),
            }
            for entry in a.lists
        ],
        "next_change": (
            {
                "on": e.next_change.on.isoformat(),
                "score": e.next_change.score,
                "tier": e.next_change.tier,
            }
            if e.next_change
            else None
        ),
    }
