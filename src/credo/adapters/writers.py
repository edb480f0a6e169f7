"""Writes a ledger (the ingest format of SPEC §2) as JSON Lines, one Parquet file, or a Parquet
directory: `records-00000.parquet`, … and `entries.parquet` (withdrawals, objections and
decisions), which `credo recompute --from-dir` reads. The directory's records also carry each
record's `record_id`, so that a recompute joins their statuses without hashing every record.

Chunks stream through: Parquet gets row groups of `ROWS_PER_GROUP` records from each chunk, so
memory holds a chunk or two whatever the ledger's size, and the next chunk is generated while
this one is compressed.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from credo.adapters.engines.sql.columns import record_id

# Columns whose values (nearly) never repeat are not dictionary-encoded: a dictionary that
# never repeats only costs time. Every other column is.
_UNIQUE = {"record_id", "subject.id", "source_ref", "evidence.uri", "evidence.sha256", "case_ref"}
ROWS_PER_FILE = 10_000_000
# A reader takes a row group per thread: a chunk of a few million records in one row group
# would leave all but one core idle on a small ledger.
ROWS_PER_GROUP = 250_000

Part = tuple[pa.Table, pa.Table | None]  # records, and the entries about them


@dataclass
class Written:
    records: int = 0
    entries: int = 0
    files: list[Path] = field(default_factory=list)


def write_ledger(table: pa.Table, path: Path) -> None:
    """One table of records to a .jsonl or .parquet file."""
    write_ledger_chunks([(table, None)], path)


def write_ledger_chunks(chunks: Iterable[Part], out: Path) -> Written:
    """`out` ending in .jsonl or .parquet gets the records alone; any other path is a directory
    for records and entries."""
    suffix = out.suffix.lower()
    if suffix in (".parquet", ".pq"):
        out.parent.mkdir(parents=True, exist_ok=True)
        return _write_parquet_file(_ahead(chunks), out)
    if suffix in (".jsonl", ".ndjson"):
        out.parent.mkdir(parents=True, exist_ok=True)
        return _write_jsonl(_ahead(chunks), out)
    if suffix:
        raise ValueError(f"{out}: write .jsonl or .parquet, or name a directory")
    return _write_parquet_dir(_ahead(_with_record_ids(chunks)), out)


def _with_record_ids(chunks: Iterable[Part]) -> Iterator[Part]:
    """Each chunk's records with their `record_id` first, hashed by DuckDB over the whole chunk
    (an MD5 per record in Python would cost more than making the record). Run inside `_ahead`,
    so the hashing of one chunk overlaps the compression of the one before."""
    import duckdb  # only a Parquet directory needs it

    rid = record_id(exp.column("source"), exp.column("source_ref")).sql(dialect="duckdb")
    with duckdb.connect() as con:
        for records, entries in chunks:
            # `records` is an Arrow table that DuckDB scans in place; insertion order is kept,
            # so the ids line up with the rows.
            ids = con.sql(f"SELECT {rid} AS record_id FROM records").to_arrow_table()
            yield records.add_column(0, "record_id", ids.column(0).cast(pa.string())), entries


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    dictionary = [c for c in _leaves(schema) if c not in _UNIQUE]
    return pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=dictionary)


def _leaves(schema: pa.Schema) -> list[str]:
    """Column paths as Parquet names them: `subject.id`, `attributes.severity`."""
    out: list[str] = []
    for f in schema:
        if pa.types.is_struct(f.type):
            out.extend(f"{f.name}.{child.name}" for child in f.type)
        else:
            out.append(f.name)
    return out


def _write_parquet_file(chunks: Iterator[Part], path: Path) -> Written:
    written = Written(files=[path])
    writer: pq.ParquetWriter | None = None
    try:
        for records, _ in chunks:
            writer = writer or _writer(path, records.schema)
            writer.write_table(records, row_group_size=ROWS_PER_GROUP)
            written.records += records.num_rows
    finally:
        if writer is not None:
            writer.close()
    return written


def _write_parquet_dir(chunks: Iterator[Part], directory: Path) -> Written:
    directory.mkdir(parents=True, exist_ok=True)
    stale = sorted([*directory.glob("records*.parquet"), *directory.glob("entries*.parquet")])
    if stale:
        # A ledger is every records*.parquet in the folder: never mix two of them.
        raise FileExistsError(f"{directory} already holds a ledger ({stale[0].name}, …)")
    written = Written()
    records_writer: pq.ParquetWriter | None = None
    entries_writer: pq.ParquetWriter | None = None
    in_file = 0
    try:
        for records, entries in chunks:
            if records_writer is None or in_file >= ROWS_PER_FILE:
                if records_writer is not None:
                    records_writer.close()
                path = directory / f"records-{len(written.files):05d}.parquet"
                records_writer = _writer(path, records.schema)
                written.files.append(path)
                in_file = 0
            records_writer.write_table(records, row_group_size=ROWS_PER_GROUP)
            in_file += records.num_rows
            written.records += records.num_rows
            if entries is not None:
                if entries_writer is None:
                    entries_writer = _writer(directory / "entries.parquet", entries.schema)
                entries_writer.write_table(entries)
                written.entries += entries.num_rows
    finally:
        for writer in (records_writer, entries_writer):
            if writer is not None:
                writer.close()
    if entries_writer is not None:
        written.files.append(directory / "entries.parquet")
    return written


def _write_jsonl(chunks: Iterator[Part], path: Path) -> Written:
    written = Written(files=[path])
    with path.open("wb") as f:
        for records, _ in chunks:
            for batch in records.to_batches(max_chunksize=50_000):
                f.write(
                    b"".join(orjson.dumps(_json_record(row)) + b"\n" for row in batch.to_pylist())
                )
            written.records += records.num_rows
    return written


def _json_record(row: dict[str, Any]) -> dict[str, Any]:
    """A valid SPEC §2 record: absent attributes and a null case_ref are left out."""
    row["occurred_at"] = row["occurred_at"].isoformat()
    attributes = row["attributes"]
    if isinstance(attributes, str):  # attributes kept as JSON text
        row["attributes"] = orjson.loads(attributes)
    else:
        row["attributes"] = {k: v for k, v in attributes.items() if v is not None}
    if row.get("case_ref") is None:
        row.pop("case_ref", None)
    if row.get("evidence") is None:
        row.pop("evidence", None)
    return row


def _ahead(chunks: Iterable[Part]) -> Iterator[Part]:
    """The chunks, each made in a background thread while the previous one is written: numpy
    and Arrow release the GIL, so making and compressing share the cores. At most one chunk
    waits, so memory stays bounded."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in chunks:
                ready.put(("chunk", item))
                if stop.is_set():  # the consumer has gone: make no more
                    return
            ready.put(("done", None))
        except BaseException as e:  # handed to the consumer, which re-raises it
            ready.put(("error", e))

    thread = threading.Thread(target=produce, name="credo-synth", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = ready.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to hand over a chunk
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.1)
        thread.join()
