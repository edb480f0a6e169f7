"""The recompute, stage by stage, written once for every SQL engine.

An engine supplies a session that can register Arrow or Parquet as a named relation, create a
table from a query, and fetch a query as Arrow; the stages and their SQL (rendered in the engine's
dialect) are the same for DuckDB and Spark.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

import pyarrow as pa
from sqlglot import exp

from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed, Session
from credo.adapters.engines.sql import ledger as ledger_sql
from credo.adapters.engines.sql.columns import attribute_fields
from credo.adapters.engines.sql.judged import unjudged_records
from credo.adapters.engines.sql.population import JUDGED_COLUMNS, pack_queries, population
from credo.adapters.engines.sql.rules import value
from credo.domain.rules.rulebook import Rulebook

ENTRIES_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("kind", pa.string()),
        ("at", pa.timestamp("us", tz="UTC")),
        ("seq", pa.int64()),
        ("objection_id", pa.string()),
        ("outcome", pa.string()),
    ]
)
LIST_ENTRIES_SCHEMA = pa.schema(
    [
        ("subject_id", pa.string()),
        ("list_id", pa.string()),
        ("record_id", pa.string()),
        ("since", pa.date32()),
        ("until", pa.date32()),
        ("pack", pa.string()),
    ]
)
SCORES_SCHEMA = pa.schema(
    [
        ("subject_id", pa.string()),
        ("score", pa.int64()),
        ("tier", pa.string()),
        ("valid_until", pa.date32()),
        ("pack", pa.string()),
        ("version", pa.int32()),
    ]
)
UNJUDGED_SCHEMA = pa.schema(
    [
        ("subject_id", pa.string()),
        ("region", pa.string()),
        ("kind", pa.string()),
        ("pack", pa.string()),
        ("reason", pa.string()),
    ]
)
GOVERNANCE_SCHEMA = pa.schema(
    [
        ("region", pa.string()),
        ("kind", pa.string()),
        ("pack", pa.string()),
        ("since", pa.date32()),
        ("until", pa.date32()),
    ]
)
_NO_LIST_ENTRIES = (
    "SELECT CAST(NULL AS STRING) AS subject_id, CAST(NULL AS STRING) AS list_id, "
    "CAST(NULL AS STRING) AS record_id, CAST(NULL AS DATE) AS since, "
    "CAST(NULL AS DATE) AS until, CAST(NULL AS STRING) AS pack "
    "FROM (SELECT 1 AS one) AS nothing WHERE 1 = 0"
)


def run(
    session: Session,
    source: LedgerSource,
    rulebook: Rulebook,
    as_of: date,
    *,
    detail: bool,
    progress: Progress | None,
) -> Recomputed:
    started = time.perf_counter()
    tell = progress or (lambda _stage: None)

    def sql(query: exp.Expr | str) -> str:
        return query if isinstance(query, str) else query.sql(dialect=session.dialect)

    tell("reading the ledger")
    read_ledger(session, source, rulebook)
    result = Recomputed(as_of, SCORES_SCHEMA.empty_table(), LIST_ENTRIES_SCHEMA.empty_table(), None)
    judged_tables, entry_tables = ["judged_none"], []
    session.create("judged_none", sql(unjudged_records(as_of)))
    for i, history in enumerate(rulebook.packs.values()):
        tell(f"judging the records of {history.id}")
        name = f"judged_{i}"
        queries = pack_queries(history, as_of, name)
        session.create(name, sql(queries.judged))
        judged_tables.append(name)
        if queries.version is not None:
            result.versions[history.id] = (queries.version.version, queries.version.checksum)
        if queries.entries is not None:
            session.create(f"entries_{i}", sql(queries.entries))
            entry_tables.append((f"entries_{i}", history.id))
    session.view("judged_all", sql(_union(judged_tables, JUDGED_COLUMNS)))
    session.create("list_entries", sql(_list_entries(entry_tables)))
    result.records = int(session.fetch("SELECT COUNT(*) AS n FROM judged_all").column(0)[0].as_py())
    tell("scoring everyone")
    stages = population(rulebook, as_of)
    session.create("pending", sql(stages.pending))
    session.view("counted", sql(stages.counted))
    session.create("standing", sql(stages.standing))
    session.create("scores", sql(stages.scores))
    scored = session.fetch(sql(stages.scored))
    versions = [result.versions[p][0] for p in scored.column("pack").to_pylist()]
    result.scores = (
        scored.append_column("version", pa.array(versions, pa.int32()))
        .select(SCORES_SCHEMA.names)
        .cast(SCORES_SCHEMA)
    )
    result.entries = session.fetch(
        "SELECT * FROM list_entries WHERE subject_id IN (SELECT subject_id FROM scores)"
    ).cast(LIST_ENTRIES_SCHEMA)
    result.unjudged = session.fetch(sql(stages.unjudged)).cast(UNJUDGED_SCHEMA)
    if detail:
        result.contributions = session.fetch(sql(stages.verdicts))
        result.standing = session.fetch(
            "SELECT subject_id, region, kind FROM standing "
            "WHERE subject_id IN (SELECT subject_id FROM scores)"
        )
    session.close()
    result.seconds = time.perf_counter() - started
    return result


def read_ledger(session: Session, source: LedgerSource, rulebook: Rulebook) -> None:
    """Registers `ledger` (see `ledger_sql.ledger`), `governance` and `status` over the source,
    as every stage (and the fold's judge) reads them."""

    def sql(query: exp.Expr | str) -> str:
        return query if isinstance(query, str) else query.sql(dialect=session.dialect)

    session.register("raw_records", source.records)
    session.register(
        "raw_entries",
        source.entries if source.entries is not None else ENTRIES_SCHEMA.empty_table(),
    )
    # Attributes come as JSON text (store exports) or as a typed struct (`credo synth` Parquet).
    struct_fields = session.struct_fields("raw_records", "attributes")
    columns = session.columns("raw_records")
    ingest_format = "subject" in columns
    # A store export and a `credo synth` directory carry each record's id; an ingest-format file
    # from elsewhere may not, and then the id is hashed from source and source_ref.
    ids_from_source = ingest_format and "record_id" not in columns
    flat = (
        ledger_sql.flat_from_ingest_format(
            "raw_records",
            struct_attributes=struct_fields is not None,
            record_ids=not ids_from_source,
        )
        if ingest_format
        else f"SELECT {', '.join(ledger_sql.FLAT_COLUMNS)} FROM raw_records"
    )
    # `flat` and `ledger` are views: each pack's `judged` reads the source once, and only the
    # columns it needs.
    session.view("flat", sql(flat))
    session.create("status", sql(ledger_sql.statuses("raw_entries")))
    session.register("governance", _governance(session, rulebook))
    fields = attribute_fields(rulebook.packs.values())
    session.view(
        "ledger", sql(ledger_sql.ledger(fields, struct_fields, ids_from_source=ids_from_source))
    )


def _union(tables: Sequence[str], columns: str) -> exp.Expr:
    parts = [exp.select(*columns.split(", ")).from_(t) for t in tables]
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    return union


def _list_entries(tables: Sequence[tuple[str, str]]) -> exp.Expr | str:
    """Every pack's open list entries, each with the pack that admitted it."""
    if not tables:
        return _NO_LIST_ENTRIES
    parts = [
        exp.select("subject_id", "list_id", "record_id", "since", "until")
        .select(exp.alias_(value(pack), "pack"))
        .from_(table)
        for table, pack in tables
    ]
    union: exp.Expr = parts[0]
    for part in parts[1:]:
        union = exp.union(union, part, distinct=False)
    return union


def _governance(session: Session, rulebook: Rulebook) -> pa.Table:
    """Which pack governs each (region, kind) in the ledger, and from when to when (SPEC §4.1):
    decided once per pair, in Python, by the same rule the online path uses."""
    pairs = session.fetch("SELECT DISTINCT region, kind FROM flat").to_pylist()
    rows = []
    for pair in pairs:
        eras = rulebook.eras(pair["region"], pair["kind"])
        bounds = [None, *eras.starts[1:], None]  # the first era reaches back to the start
        for pack, since, until in zip(eras.packs, bounds, bounds[1:], strict=False):
            rows.append({**pair, "pack": pack.id, "since": since, "until": until})
    return pa.Table.from_pylist(rows, schema=GOVERNANCE_SCHEMA)
