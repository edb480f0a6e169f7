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
from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.score import assess

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


_SUBJECT = pa.struct([("id", pa.string()), ("kind", pa.string()), ("region", pa.string())])
INGEST_SCHEMA = pa.schema(
    [
        ("subject", _SUBJECT),
        ("type", pa.string()),
        ("occurred_at", pa.date32()),
        ("source", pa.string()),
        ("source_ref", pa.string()),
        ("attributes", pa.string()),
        ("case_ref", pa.string()),
    ]
)


def ingest_table(records: Iterable[Record], *, with_ids: bool) -> pa.Table:
    """Records in the ingest format of SPEC §2 (attributes as JSON text), with the `record_id`
    column a `credo synth` directory carries, or without it, so the engine hashes the id."""
    kept = list(records)
    rows = [
        {
            "subject": {"id": r.subject.id, "kind": r.subject.kind, "region": r.subject.region},
            "type": r.type,
            "occurred_at": r.occurred_at,
            "source": r.source,
            "source_ref": r.source_ref,
            "attributes": orjson.dumps(dict(r.attributes)).decode(),
            "case_ref": r.case_ref,
        }
        for r in kept
    ]
    table = pa.Table.from_pylist(rows, schema=INGEST_SCHEMA)
    if not with_ids:
        return table
    return table.append_column("record_id", pa.array([r.record_id for r in kept], pa.string()))


def records_in(shape: str, records: Iterable[Record]) -> pa.Table:
    """The ledger's records in one of the shapes an engine reads: "export" (a store export),
    "ingest" (no record id) or "ingest+id" (the id as a column, as `credo synth` writes)."""
    if shape == "export":
        return records_table(records)
    return ingest_table(records, with_ids=shape == "ingest+id")


SHAPES = ("export", "ingest", "ingest+id")


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
        try:
            a = assess(subject_id, rulebook, records, as_of)
        except (NoPackGoverns, NotInForce):
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
