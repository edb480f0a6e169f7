"""The `ledger` relation every population query reads: one row per record, with the pack that
judges it, its status from the ledger entries, and its attributes as typed columns.

Two shapes come in: the ingest format of SPEC §2 (a `subject` struct; `credo synth` adds each
record's `record_id`, a file from elsewhere may lack it) and a store export (flat columns with
`record_id`). Both become `flat`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import sqlglot
from sqlglot import exp

from credo.adapters.engines.sql.columns import (
    attribute_column,
    json_attribute,
    record_id,
    struct_attribute,
)
from credo.domain.rules.fields import FieldType

FLAT_COLUMNS = (
    "record_id",
    "subject_id",
    "kind",
    "region",
    "type",
    "occurred_at",
    "attributes",
    "case_ref",
)


def _q(sql: str, **parts: exp.Expr) -> exp.Expr:
    return exp.replace_placeholders(sqlglot.parse_one(sql, read="duckdb"), **parts)


def flat_from_ingest_format(
    source: str, *, struct_attributes: bool = False, record_ids: bool = False
) -> exp.Expr:
    """`struct_attributes`: the `attributes` column is a typed struct, kept as it is for `ledger`
    to read field by field; otherwise it is JSON text. `record_ids`: the file has a `record_id`
    column, read as it is; without one, the id is left to `ledger`, which hashes `source` and
    `source_ref` only for the records of the pack it is asked for."""
    attributes = "attributes" if struct_attributes else "CAST(attributes AS VARCHAR)"
    # Hashing the id was about a third of `judged`: a ledger that carries it skips the hash.
    identity = "record_id" if record_ids else "source, source_ref"
    return _q(
        f"""
        SELECT {identity}, subject.id AS subject_id, subject.kind AS kind,
               subject.region AS region, type, CAST(occurred_at AS DATE) AS occurred_at,
               {attributes} AS attributes, NULLIF(case_ref, '') AS case_ref
        FROM {source}
        """
    )


def statuses(entries: str) -> exp.Expr:
    """`credo.domain.ledger.entries.status_from` in SQL: withdrawn once withdrawn, overturned if the
    last ruling overturned it, disputed while an objection has no decision. A `moot` decision (an
    objection closed by the record's withdrawal) closes its objection and is no ruling."""
    return sqlglot.parse_one(
        f"""
        WITH w AS (SELECT DISTINCT record_id FROM {entries} WHERE kind = 'withdrawal'),
        d AS (
          SELECT record_id, outcome FROM (
            SELECT record_id, outcome,
                   ROW_NUMBER() OVER (PARTITION BY record_id ORDER BY at DESC, seq DESC) AS n
            FROM {entries} WHERE kind = 'decision' AND outcome <> 'moot') AS last_decision
          WHERE n = 1
        ),
        o AS (
          SELECT DISTINCT o.record_id FROM {entries} AS o
          WHERE o.kind = 'objection' AND NOT EXISTS (
            SELECT 1 FROM {entries} AS x
            WHERE x.kind = 'decision' AND x.objection_id = o.objection_id)
        )
        SELECT k.record_id, w.record_id IS NOT NULL AS withdrawn,
               COALESCE(d.outcome = 'overturned', FALSE) AS overturned,
               o.record_id IS NOT NULL AS disputed
        FROM (SELECT DISTINCT record_id FROM {entries}) AS k
        LEFT JOIN w ON w.record_id = k.record_id
        LEFT JOIN d ON d.record_id = k.record_id
        LEFT JOIN o ON o.record_id = k.record_id
        """,
        read="duckdb",
    )


def ledger(
    fields: Iterable[tuple[str, FieldType]],
    struct_fields: Collection[str] | None = None,
    *,
    ids_from_source: bool = False,
) -> exp.Expr:
    """`flat` joined to `governance` (region, kind, from when → pack: the pack that judges a
    record is the one governing its region when it occurred; NULL where none does) and `status`
    (record_id → flags).
    `struct_fields` names the fields of a struct `attributes` column; None when it is JSON text.
    `ids_from_source`: `flat` has `source` and `source_ref` (the ingest format) rather than a
    `record_id`; the id is hashed after the governance join, so that a query for one pack hashes
    only that pack's records."""
    query = _q(
        """
        SELECT k.*, COALESCE(s.withdrawn, FALSE) AS withdrawn,
               COALESCE(s.overturned, FALSE) AS overturned,
               COALESCE(s.disputed, FALSE) AS disputed
        FROM (
          SELECT f.subject_id, f.region, f.kind, g.pack, f.type, f.occurred_at,
                 NULLIF(f.case_ref, '') AS case_ref
          FROM flat AS f
          LEFT JOIN governance AS g
            ON f.region = g.region AND f.kind = g.kind
           AND (g.since IS NULL OR g.since <= f.occurred_at)
           AND (g.until IS NULL OR f.occurred_at < g.until)
        ) AS k
        LEFT JOIN status AS s ON s.record_id = k.record_id
        """
    )
    assert isinstance(query, exp.Select)
    subquery = query.find(exp.Subquery)
    assert subquery is not None
    assert isinstance(subquery.this, exp.Select)
    inner = subquery.this
    rid = (
        record_id(exp.column("source", "f"), exp.column("source_ref", "f"))
        if ids_from_source
        else exp.column("record_id", "f")
    )
    attributes = exp.column("attributes", table="f")

    def value(name: str, type_: FieldType) -> exp.Expr:
        if struct_fields is None:
            return json_attribute(attributes, name, type_)
        return struct_attribute(attributes, name, type_, struct_fields)

    # Put in as trees, not as `:placeholders`: DuckDB's SQL reads `:name` as a prefix alias.
    inner.set(
        "expressions",
        [
            exp.alias_(rid, "record_id"),
            *inner.expressions,
            *(
                exp.alias_(value(name, type_), attribute_column(name, type_))
                for name, type_ in sorted(fields)
            ),
        ],
    )
    return query
