"""The population engine on DuckDB: the whole ledger in one process, spilling to disk if needed."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from credo.adapters.engines import ledger_sql
from credo.adapters.engines.columns import attribute_fields
from credo.adapters.engines.population_sql import pack_queries
from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed
from credo.domain.rulebook import Rulebook
from credo.domain.subjects import Subject

_EMPTY_ENTRIES = pa.table(
    {
        "record_id": pa.array([], pa.string()),
        "kind": pa.array([], pa.string()),
        "at": pa.array([], pa.timestamp("us", tz="UTC")),
        "seq": pa.array([], pa.int64()),
        "objection_id": pa.array([], pa.string()),
        "outcome": pa.array([], pa.string()),
    }
)


_NO_ENTRIES = (
    "SELECT CAST(NULL AS VARCHAR) AS subject_id, CAST(NULL AS VARCHAR) AS list_id, "
    "CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS DATE) AS since, "
    "CAST(NULL AS DATE) AS until WHERE FALSE"
)


class DuckDbEngine:
    name = "duckdb"

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        self.threads = threads
        self.memory_limit = memory_limit
        self.temp_directory = temp_directory

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.execute("SET memory_limit = ?", [self.memory_limit])
        if self.temp_directory:
            con.execute("SET temp_directory = ?", [str(self.temp_directory)])
        con.execute("SET preserve_insertion_order = false")
        return con

    def recompute(
        self,
        source: LedgerSource,
        rulebook: Rulebook,
        as_of: date,
        *,
        detail: bool = False,
        progress: Progress | None = None,
    ) -> Recomputed:
        started = time.perf_counter()
        tell = progress or (lambda _stage: None)
        con = self._connect()
        tell("reading the ledger")
        _register(con, "raw_records", source.records)
        _register(
            con, "raw_entries", source.entries if source.entries is not None else _EMPTY_ENTRIES
        )
        columns = {c[0] for c in con.execute("DESCRIBE raw_records").fetchall()}
        flat = (
            ledger_sql.flat_from_ingest_format("raw_records")
            if "subject" in columns
            else f"SELECT {', '.join(ledger_sql.FLAT_COLUMNS)} FROM raw_records"
        )
        con.execute(f"CREATE TEMP VIEW flat AS {_sql(flat)}")
        con.execute(f"CREATE TEMP TABLE status AS {_sql(ledger_sql.statuses('raw_entries'))}")
        con.register("governance", _governance(con, rulebook))
        fields = attribute_fields(rulebook.packs.values())
        con.execute(f"CREATE TEMP TABLE ledger AS {_sql(ledger_sql.ledger(fields))}")
        records = con.execute("SELECT COUNT(*) FROM ledger").fetchone()
        result = Recomputed(as_of, _empty_scores(), _empty_entries(), None)
        result.records = int(records[0]) if records else 0
        scores, entries, details = [], [], []
        for history in rulebook.packs.values():
            queries = pack_queries(history, as_of)
            if queries is None:
                continue
            tell(f"scoring {history.id}")
            result.versions[history.id] = (queries.version.version, queries.version.checksum)
            con.execute(f"CREATE OR REPLACE TEMP TABLE judged AS {_sql(queries.judged)}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE counted AS {_sql(queries.counted)}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE scores AS {_sql(queries.scores)}")
            entries_sql = _sql(queries.entries) if queries.entries is not None else _NO_ENTRIES
            con.execute(f"CREATE OR REPLACE TEMP TABLE list_entries AS {entries_sql}")
            s = con.sql(_sql(queries.scored)).to_arrow_table()
            pack_col = pa.array([history.id] * s.num_rows, pa.string())
            version_col = pa.array([queries.version.version] * s.num_rows, pa.int32())
            scores.append(s.append_column("pack", pack_col).append_column("version", version_col))
            entries.append(con.sql("SELECT * FROM list_entries").to_arrow_table())
            if detail:
                details.append(con.sql("SELECT * FROM counted").to_arrow_table())
        if scores:
            result.scores = pa.concat_tables(scores, promote_options="permissive")
        if entries:
            result.entries = pa.concat_tables(entries, promote_options="permissive")
        if detail:
            result.contributions = pa.concat_tables(details) if details else None
        con.close()
        result.seconds = time.perf_counter() - started
        return result


def _sql(query: object) -> str:
    return query if isinstance(query, str) else query.sql(dialect="duckdb")  # type: ignore[attr-defined]


def _register(con: duckdb.DuckDBPyConnection, name: str, data: str | Path | pa.Table) -> None:
    if isinstance(data, pa.Table):
        con.register(name, data)
    else:
        con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet(?)", [str(data)])


def _governance(con: duckdb.DuckDBPyConnection, rulebook: Rulebook) -> pa.Table:
    """Which pack governs each (region, kind) in the ledger: decided once per pair, in Python,
    by the same rule the online path uses."""
    pairs = con.execute("SELECT DISTINCT region, kind FROM flat").fetchall()
    rows = []
    for region, kind in pairs:
        history = rulebook.find_governing(Subject("-", kind, region))
        if history is not None:
            rows.append((region, kind, history.id))
    return pa.table(
        {
            "region": pa.array([r[0] for r in rows], pa.string()),
            "kind": pa.array([r[1] for r in rows], pa.string()),
            "pack": pa.array([r[2] for r in rows], pa.string()),
        }
    )


def _empty_scores() -> pa.Table:
    return pa.table(
        {
            "subject_id": pa.array([], pa.string()),
            "score": pa.array([], pa.int64()),
            "tier": pa.array([], pa.string()),
            "pack": pa.array([], pa.string()),
            "version": pa.array([], pa.int32()),
        }
    )


def _empty_entries() -> pa.Table:
    return pa.table(
        {
            "subject_id": pa.array([], pa.string()),
            "list_id": pa.array([], pa.string()),
            "record_id": pa.array([], pa.string()),
            "since": pa.array([], pa.date32()),
            "until": pa.array([], pa.date32()),
        }
    )
