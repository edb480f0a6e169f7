"""One ledger, two views to compare: what the online path says and what an engine says."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import orjson
import pyarrow as pa

from credo.adapters.engines.protocol import Recomputed
from credo.adapters.engines.staged import ENTRIES_SCHEMA
from credo.adapters.stores.export import RECORDS_SCHEMA
from credo.domain.entries import Entry
from credo.domain.errors import NotInForce
from credo.domain.records import LedgerRecord, Record
from credo.domain.rulebook import Rulebook
from credo.domain.scoring import assess

View = dict[str, Any]


def records_table(records: Iterable[Record]) -> pa.Table:
    """Records as a store export: flat columns, attributes as JSON text."""
    rows = [
        {
            "record_id": r.record_id,
            "subject_id": r.subject.id,
            "kind": r.subject.kind,
            "region": r.subject.region,
            "type": r.type,
            "occurred_at": r.occurred_at,
            "attributes": orjson.dumps(dict(r.attributes)).decode(),
            "case_ref": r.case_ref,
        }
        for r in records
    ]
    return pa.Table.from_pylist(rows, schema=RECORDS_SCHEMA)


def entries_table(entries: Iterable[Entry]) -> pa.Table:
    rows = [
        {
            "record_id": e.record_id,
            "kind": e.kind,
            "at": e.at,
            "seq": e.seq or 0,
            "objection_id": str(e.data["objection_id"]) if "objection_id" in e.data else None,
            "outcome": e.data.get("outcome"),
        }
        for e in entries
    ]
    return pa.Table.from_pylist(rows, schema=ENTRIES_SCHEMA)


def online(rulebook: Rulebook, ledger: dict[str, Sequence[LedgerRecord]], as_of: date) -> View:
    scores, verdicts, entries = {}, {}, set()
    for subject_id, records in ledger.items():
        history = rulebook.find_governing(records[0].record.subject)
        if history is None:
            continue
        try:
            a = assess(subject_id, history, records, as_of)
        except NotInForce:
            continue
        scores[subject_id] = (a.score, a.tier)
        for c in a.contributions:
            verdicts[c.record.record_id] = (None, c.rule, c.points, c.expires_on)
        for x in a.excluded:
            verdicts[x.record.record_id] = (x.reason, x.rule)
        entries |= {(subject_id, e.list_id, e.record.record_id, e.since, e.until) for e in a.lists}
    return {"scores": scores, "verdicts": verdicts, "entries": entries}


def engine(result: Recomputed) -> View:
    scores = {r["subject_id"]: (r["score"], r["tier"]) for r in result.scores.to_pylist()}
    verdicts = {}
    assert result.contributions is not None
    for r in result.contributions.to_pylist():
        if r["reason"] is None:
            verdicts[r["record_id"]] = (None, r["rule"], r["counted"], r["expires_on"])
        else:
            unjudged = r["reason"] in ("withdrawn", "overturned", "no-rule")
            verdicts[r["record_id"]] = (r["reason"], None if unjudged else r["rule"])
    entries = {
        (r["subject_id"], r["list_id"], r["record_id"], r["since"], r["until"])
        for r in result.entries.to_pylist()
    }
    return {"scores": scores, "verdicts": verdicts, "entries": entries}
