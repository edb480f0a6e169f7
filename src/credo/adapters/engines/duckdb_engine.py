"""The population engine on DuckDB: the whole ledger in one process, spilling to disk if needed."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from credo.adapters.engines import staged
from credo.adapters.engines.protocol import LedgerSource, Progress, Recomputed
from credo.domain.rules.rulebook import Rulebook


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


def _half_the_memory() -> str:
    """DuckDB's own default is 80% of memory, and its limit does not cover everything the
    process holds (Arrow results, the Python heap): half leaves room, and it spills the rest."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{total // 2 // 2**20}MiB"


class DuckDbEngine:
    """`memory_limit` defaults to half the machine's memory; beyond it DuckDB spills to
    `temp_directory` (by default a folder of this process's own in the system's temporary
    directory, which DuckDB empties when it closes)."""

    name = "duckdb"

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        self.threads = threads
        self.memory_limit = memory_limit or _half_the_memory()
        self.temp_directory = temp_directory

    def session(self) -> DuckDbSession:
        con = duckdb.connect()
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        con.execute("SET memory_limit = ?", [self.memory_limit])
        spill = self.temp_directory or Path(tempfile.gettempdir()) / f"credo-duckdb-{os.getpid()}"
        con.execute("SET temp_directory = ?", [str(spill)])
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
