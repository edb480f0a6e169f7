"""The population engine on DuckDB: the whole ledger in one process, spilling to disk if needed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from credo.adapters.engines import staged
from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed
from credo.domain.rulebook import Rulebook


class DuckDbSession:
    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._arrow: dict[str, pa.Table] = {}  # kept alive while registered

    def register(self, name: str, data: str | Path | pa.Table) -> None:
        if isinstance(data, pa.Table):
            self._arrow[name] = data
            self.con.register(name, data)
        else:
            # A view cannot take a prepared parameter: the path goes in as a quoted literal.
            path = str(data).replace("'", "''")
            self.con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet('{path}')")

    def create(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def columns(self, name: str) -> set[str]:
        return {row[0] for row in self.con.execute(f"DESCRIBE {name}").fetchall()}

    def struct_fields(self, name: str, column: str) -> list[str] | None:
        schema = self.con.sql(f"SELECT {column} FROM {name} LIMIT 0").to_arrow_table().schema
        kind = schema.field(column).type
        return [f.name for f in kind] if pa.types.is_struct(kind) else None

    def close(self) -> None:
        self.con.close()


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

    def session(self) -> DuckDbSession:
        con = duckdb.connect()
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.execute("SET memory_limit = ?", [self.memory_limit])
        if self.temp_directory:
            con.execute("SET temp_directory = ?", [str(self.temp_directory)])
        con.execute("SET preserve_insertion_order = false")
        return DuckDbSession(con)

    def recompute(
        self,
        source: LedgerSource,
        rulebook: Rulebook,
        as_of: date,
        *,
        detail: bool = False,
        progress: Progress | None = None,
    ) -> Recomputed:
        return staged.run(self.session(), source, rulebook, as_of, detail=detail, progress=progress)
