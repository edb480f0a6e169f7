"""The recompute, stage by stage, written once for every SQL engine.

An engine supplies a session that can register Arrow or Parquet as a named relation, create a
table from a query, and fetch a query as Arrow; the stages and their SQL (rendered in the engine's
dialect) are the same for DuckDB and Spark.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Protocol

import pyarrow as pa
from sqlglot import exp

from credo.adapters.engines import ledger_sql
from credo.adapters.engines.columns import attribute_fields
from credo.adapters.engines.population_sql import pack_queries
from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed
from credo.domain.rulebook import Rulebook
from credo.domain.subjects import Subject

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
_NO_LIST_ENTRIES = (
    "SELECT CAST(NULL AS STRING) AS subject_id, CAST(NULL AS STRING) AS list_id, "
    "CAST(NULL AS STRING) AS record_id, CAST(NULL AS DATE) AS since, "
    "CAST(NULL AS DATE) AS until FROM (SELECT 1 AS one) AS nothing WHERE 1 = 0"
)


class Session(Protocol):
    dialect: str

    def register(self, name: str, data: str | Path | pa.Table) -> None: ...

    def create(self, name: str, sql: str) -> None:
        """A table (or cached view) holding the query's rows, replacing any of that name."""

    def view(self, name: str, sql: str) -> None:
        """A view: the query runs again wherever the name is read, replacing any of that name."""

    def fetch(self, sql: str) -> pa.Table: ...

    def columns(self, name: str) -> set[str]: ...

    def struct_fields(self, name: str, column: str) -> list[str] | None:
        """The fields of a struct column of the relation; None when it is not a struct."""

    def close(self) -> None: ...


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
    result = Recomputed(as_of, SCORES_SCHEMA.empty_table(), LIST_ENTRIES_SCHEMA.empty_table(), None)
    scores, entries, details = [], [], []
    for history in rulebook.packs.values():
        queries = pack_queries(history, as_of)
        if queries is None:
            continue
        tell(f"scoring {history.id}")
        result.versions[history.id] = (queries.version.version, queries.version.checksum)
        session.create("judged", sql(queries.judged))
        result.records += int(
            session.fetch("SELECT COUNT(*) AS n FROM judged").column(0)[0].as_py()
        )
        session.create("pending", sql(queries.pending))
        session.view("counted", sql(queries.counted))
        session.create("scores", sql(queries.scores))
        session.create(
            "list_entries", sql(queries.entries) if queries.entries else _NO_LIST_ENTRIES
        )
        s = session.fetch(sql(queries.scored))
        scores.append(
            _with(s, pack=history.id, version=queries.version.version).cast(SCORES_SCHEMA)
        )
        e = session.fetch("SELECT * FROM list_entries")
        entries.append(_with(e, pack=history.id).cast(LIST_ENTRIES_SCHEMA))
        if detail:
            details.append(session.fetch(sql(queries.verdicts)))
    session.close()
    if scores:
        result.scores = pa.concat_tables(scores)
    if entries:
        result.entries = pa.concat_tables(entries)
    if detail:
        result.contributions = (
            pa.concat_tables(details, promote_options="permissive") if details else None
        )
    result.seconds = time.perf_counter() - started
    return result


def _with(table: pa.Table, **constants: object) -> pa.Table:
    for name, value in constants.items():
        kind = pa.int32() if isinstance(value, int) else pa.string()
        table = table.append_column(name, pa.array([value] * table.num_rows, kind))
    return table


def _governance(session: Session, rulebook: Rulebook) -> pa.Table:
    """Which pack governs each (region, kind) in the ledger: decided once per pair, in Python,
    by the same rule the online path uses."""
    pairs = session.fetch("SELECT DISTINCT region, kind FROM flat").to_pylist()
    rows = []
    for pair in pairs:
        history = rulebook.find_governing(Subject("-", pair["kind"], pair["region"]))
        if history is not None:
            rows.append({"region": pair["region"], "kind": pair["kind"], "pack": history.id})
    schema = pa.schema([("region", pa.string()), ("kind", pa.string()), ("pack", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)
