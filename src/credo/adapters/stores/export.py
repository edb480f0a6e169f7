"""The ledger as Arrow tables, for the population engines: read by ADBC, column by column,
never record by record in Python (the memory store excepted: it holds Python objects). Each
store's `export()` calls its function here, so these heavy imports wait until a recompute."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from credo.adapters.engines.staged import ENTRIES_SCHEMA

RECORDS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("subject_id", pa.string()),
        ("kind", pa.string()),
        ("region", pa.string()),
        ("type", pa.string()),
        ("occurred_at", pa.date32()),
        ("attributes", pa.string()),
        ("case_ref", pa.string()),
    ]
)

_RECORDS = """
SELECT r.record_id, r.subject_id, s.kind, COALESCE(r.region, s.region) AS region, r.type,
       {date} AS occurred_at,
       r.attributes, {case_ref} AS case_ref
FROM records r JOIN subjects s ON s.id = r.subject_id
"""
_ENTRIES = """
SELECT record_id, kind, {at} AS at, seq, {objection} AS objection_id, {outcome} AS outcome
FROM entries
"""


def _typed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    return table.select(schema.names).cast(schema) if table.num_rows else schema.empty_table()


def _sqlite_tables(store: Any, *queries: str) -> list[pa.Table]:
    import adbc_driver_sqlite.dbapi as adbc

    # The ADBC driver brings its own copy of SQLite. Two copies in one process do not see each
    # other's locks or WAL index, and a reader could miss what the store's open connections
    # just wrote: close them first (the last one checkpoints the WAL into the file); the
    # store opens new ones when next used.
    store.engine.dispose()
    with adbc.connect(store.engine.url.database) as conn, conn.cursor() as cur:
        return [_fetched(cur, q) for q in queries]


def _postgres_tables(store: Any, *queries: str) -> list[pa.Table]:
    import adbc_driver_postgresql.dbapi as adbc

    url = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with adbc.connect(url) as conn, conn.cursor() as cur:
        if store.schema:
            cur.execute(f"SET search_path TO {store.schema}")
        return [_fetched(cur, q) for q in queries]


def _fetched(cur: Any, query: str) -> pa.Table:
    cur.execute(query)
    return cur.fetch_arrow_table()


def export_sqlite(store: Any) -> tuple[pa.Table, pa.Table]:
    records, entries = _sqlite_tables(
        store,
        _RECORDS.format(date="r.occurred_at", case_ref=_text("r.case_ref")),
        _ENTRIES.format(
            at="at",
            objection=_text("json_extract(data, '$.objection_id')"),
            outcome=_text("json_extract(data, '$.outcome')"),
        ),
    )
    # SQLite keeps dates and instants as ISO text; Arrow parses them column by column.
    records = _null_if_empty(records, "case_ref")
    entries = _null_if_empty(entries, "objection_id", "outcome")
    return _typed(records, RECORDS_SCHEMA), _typed(entries, ENTRIES_SCHEMA)


def _text(sql: str) -> str:
    """A text column that is never NULL. SQLite's columns have no type: the ADBC driver guesses
    each one's from the first rows it reads, takes a column of NULLs for integers, and then fails
    on the first text further on (an objection among thousands of notices)."""
    return f"COALESCE(CAST({sql} AS TEXT), '')"


def _null_if_empty(table: pa.Table, *names: str) -> pa.Table:
    """`_text`'s empty strings back to NULLs: no id, outcome or case is ever empty."""
    for name in names:
        column = table.column(name)
        if not pa.types.is_string(column.type):  # no rows at all: nothing to guess from
            column = column.cast(pa.string())
        empty = pc.equal(column, "")
        table = table.set_column(
            table.schema.get_field_index(name), name, pc.if_else(empty, None, column)
        )
    return table


def export_postgres(store: Any) -> tuple[pa.Table, pa.Table]:
    records, entries = _postgres_tables(
        store,
        _RECORDS.format(date="r.occurred_at", case_ref="r.case_ref"),
        _ENTRIES.format(at="at", objection="(data->>'objection_id')", outcome="data->>'outcome'"),
    )
    return _typed(records, RECORDS_SCHEMA), _typed(entries, ENTRIES_SCHEMA)


# The verdicts a store keeps (`domain.scoring.verdicts`), for the fold. Nullable text and
# numbers come as '' and -1 (see `_text`), dates as text on SQLite.
_VERDICTS = """
SELECT r.record_id, r.subject_id, COALESCE(r.region, s.region) AS region, s.kind,
       {occurred} AS occurred_at, {case_ref} AS case_ref, {pack} AS pack,
       COALESCE(v.rule, -1) AS rule, {expires} AS expires_on, v.points, {later} AS later,
       {lists} AS lists, {withdrawn} AS withdrawn, {overturned} AS overturned,
       {disputed} AS disputed
FROM verdicts v JOIN records r ON r.seq = v.seq JOIN subjects s ON s.id = r.subject_id
"""


def verdicts_sqlite(store: Any) -> pa.Table:
    from credo.adapters.engines.verdict_ledger import VERDICT_SCHEMA

    (table,) = _sqlite_tables(
        store,
        _VERDICTS.format(
            occurred="r.occurred_at",
            expires=_text("v.expires_on"),
            case_ref=_text("r.case_ref"),
            **{c: _text(f"v.{c}") for c in ("pack", "later", "lists")},
            **{c: f"CAST(v.{c} AS INTEGER)" for c in ("withdrawn", "overturned", "disputed")},
        ),
    )
    table = _null_if_empty(table, "case_ref", "pack", "later", "lists", "expires_on")
    return _verdicts_typed(table, VERDICT_SCHEMA)


def verdicts_postgres(store: Any) -> pa.Table:
    from credo.adapters.engines.verdict_ledger import VERDICT_SCHEMA

    plain = ("pack", "later", "lists", "withdrawn", "overturned", "disputed")
    (table,) = _postgres_tables(
        store,
        _VERDICTS.format(
            occurred="r.occurred_at",
            expires="v.expires_on",
            case_ref="r.case_ref",
            **{c: f"v.{c}" for c in plain},
        ),
    )
    return _verdicts_typed(table, VERDICT_SCHEMA)


def _verdicts_typed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    if not table.num_rows:
        return schema.empty_table()
    rule = table.column("rule")
    table = table.set_column(
        table.schema.get_field_index("rule"), "rule", pc.if_else(pc.equal(rule, -1), None, rule)
    )
    for name in ("withdrawn", "overturned", "disputed"):
        column = table.column(name)
        if not pa.types.is_boolean(column.type):
            i = table.schema.get_field_index(name)
            table = table.set_column(i, name, pc.not_equal(column, 0))
    return _typed(table, schema)


def export_memory(store: Any) -> tuple[pa.Table, pa.Table]:
    rows, entries = [], []
    for batch in store.iter_records():
        for lr in batch:
            r = lr.record
            rows.append(
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
            )
            for e in store.entries_of(r.record_id):
                entries.append(
                    {
                        "record_id": e.record_id,
                        "kind": e.kind,
                        "at": e.at,
                        "seq": e.seq,
                        "objection_id": e.data.get("objection_id"),
                        "outcome": e.data.get("outcome"),
                    }
                )
    return (
        pa.Table.from_pylist(rows, schema=RECORDS_SCHEMA),
        pa.Table.from_pylist(entries, schema=ENTRIES_SCHEMA),
    )
