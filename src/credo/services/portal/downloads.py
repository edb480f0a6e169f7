"""A subject's whole file to take away: JSON with every part of `/me`, and CSV with a row per
record (SPEC §5: nothing secret from its subject)."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from credo.services.due_process.notices import notice_json
from credo.services.portal.subject_file import RecordPart, SubjectFile
from credo.services.rating.explanation_json import explanation_json

CSV_COLUMNS = [
    "record_id",
    "type",
    "source",
    "source_ref",
    "case_ref",
    "occurred_at",
    "region",
    "rule",
    "points",
    "basis",
    "expires_on",
    "status",
    "evidence_uri",
    "evidence_sha256",
    "objection_closes",
    "objection",
    "objection_state",
]


def _row(p: RecordPart) -> dict[str, Any]:
    r = p.ledger.record
    return {
        "record_id": r.record_id,
        "type": r.type,
        "source": r.source,
        "source_ref": r.source_ref,
        "case_ref": r.case_ref or "",
        "occurred_at": r.occurred_at.isoformat(),
        "region": r.subject.region,
        "rule": p.rule or "",
        "points": "" if p.points is None else p.points,
        "basis": p.basis or "",
        "expires_on": p.expires_on.isoformat() if p.expires_on else "",
        "status": p.status,
        "evidence_uri": r.evidence.uri if r.evidence else "",
        "evidence_sha256": r.evidence.sha256 if r.evidence else "",
        "objection_closes": p.window.closes.isoformat(),
        "objection": p.objection.objection_id if p.objection else "",
        "objection_state": p.objection.state if p.objection else "",
    }


def file_csv(f: SubjectFile) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for p in f.records:
        writer.writerow(_row(p))
    # With a byte-order mark, so a spreadsheet opens Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def file_json(f: SubjectFile) -> bytes:
    body = {
        "subject": f.subject_id,
        "as_of": f.today.isoformat(),
        "explanation": explanation_json(f.explanation),
        "records": [
            {**p.ledger.record.to_json(), **{k: v for k, v in _row(p).items() if k in _EXTRA}}
            | {"record_id": p.ledger.record.record_id}
            for p in f.records
        ],
        "notices": [notice_json(n) for n in f.notices],
        "objections": [
            {
                "objection_id": o.objection_id,
                "record_id": o.record_id,
                "reason": o.reason,
                "filed_at": o.filed_at.isoformat(),
                "review_by": o.review_by.isoformat(),
                "state": o.state,
                "note": o.note,
                "decided_at": o.decided_at.isoformat() if o.decided_at else None,
            }
            for o in f.objections
        ],
        "checks": [
            {
                "at": c.at.isoformat(),
                "consumer": c.consumer,
                "context": c.context,
                "as_of": c.as_of.isoformat(),
                "decision": c.decision,
                "terms": c.terms,
                "measures": list(c.measures),
            }
            for c in f.checks
        ],
        "history": [{"on": h.on.isoformat(), "score": h.score, "tier": h.tier} for h in f.history],
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)


_EXTRA = {"rule", "points", "basis", "expires_on", "status", "objection_closes"}
