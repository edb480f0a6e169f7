"""Writes a ledger table (the ingest format of SPEC §2) as JSON Lines or Parquet."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq


def write_ledger(table: pa.Table, path: Path) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".parquet", ".pq"):
        pq.write_table(table, path, compression="zstd")
    elif suffix in (".jsonl", ".ndjson"):
        _write_jsonl(table, path)
    else:
        raise ValueError(f"{path}: write .jsonl or .parquet")


def _write_jsonl(table: pa.Table, path: Path) -> None:
    with path.open("wb") as f:
        for batch in table.to_batches(max_chunksize=50_000):
            for row in batch.to_pylist():
                row["occurred_at"] = row["occurred_at"].isoformat()
                row["attributes"] = orjson.loads(row["attributes"])
                if row["case_ref"] is None:
                    del row["case_ref"]
                f.write(orjson.dumps(row) + b"\n")
