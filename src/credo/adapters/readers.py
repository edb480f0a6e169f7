"""Bulk record files: JSON Lines, JSON, CSV and Parquet, read lazily with line numbers.

Each reader yields `(line, value)` where `value` is the decoded record or a `Malformed` saying why
the line could not even be decoded. Line numbers are the file's own (CSV data starts on line 2);
Parquet has no lines, so its rows are numbered from 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from credo.domain.errors import shown

FORMATS = ("jsonl", "json", "csv", "parquet")


@dataclass(frozen=True, slots=True)
class Malformed:
    reason: str


Item = tuple[int, object]


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    fmt = {"ndjson": "jsonl", "pq": "parquet"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ValueError(
            f"{path}: cannot tell the format from `.{suffix}`; use .jsonl, .json, .csv or .parquet"
        )
    return fmt


def read_records(path: Path, on_bytes: Any = None) -> Iterator[Item]:
    """Every record of the file; `on_bytes(n)` is told how far into the file reading has got."""
    fmt = detect_format(path)
    if fmt == "jsonl":
        return _jsonl(path, on_bytes)
    if fmt == "json":
        return _json(path)
    if fmt == "csv":
        return _csv(path, on_bytes)
    return _parquet(path)


def is_text_format(path: Path) -> bool:
    """CSV carries every value as text; attributes are then read by their declared type."""
    return detect_format(path) == "csv"


_BOM = b"\xef\xbb\xbf"  # some editors start a UTF-8 file with it
# Bytes that are not UTF-8, as the `surrogateescape` error handler keeps them: one a byte.
_UNDECODED = re.compile("[\udc80-\udcff]")
NOT_UTF8 = "the line is not UTF-8 text; save the file as UTF-8 (not, say, GBK or GB 18030)"


def _decode(raw: bytes) -> object:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        return Malformed(f"malformed JSON: {e}")
    repeated = repeated_key(raw, value)
    if repeated is not None:
        return Malformed(repeated)
    return value


def repeated_key(raw: bytes, value: object) -> str | None:
    """Why the JSON text `raw`, decoded as `value`, is refused for a key it repeats within one
    object, if it does: the decoder would keep the last value and drop the others unseen. Only
    looked for exactly when the text holds more `":` than the value has keys (a key is a
    string and a colon), so a line without a repeat costs one scan."""
    if len(_KEY_END.findall(raw)) <= _keys_in(value):
        return None
    repeated = _repeated_key(raw)
    return None if repeated is None else f"key {shown(repeated)} appears twice in one object"


_KEY_END = re.compile(rb'"\s*:')


def _keys_in(value: object) -> int:
    if isinstance(value, dict):
        return len(value) + sum(_keys_in(v) for v in value.values())
    if isinstance(value, list):
        return sum(_keys_in(v) for v in value)
    return 0


def _repeated_key(raw: bytes) -> str | None:
    """The first key repeated within one object, if any (the slow, exact reading)."""
    found: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in items]
        if not found and len(set(keys)) < len(keys):
            found.append(next(k for i, k in enumerate(keys) if k in keys[:i]))
        return dict(items)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except ValueError:
        return None
    return found[0] if found else None


def _jsonl(path: Path, on_bytes: Any) -> Iterator[Item]:
    with path.open("rb") as f:
        done = 0
        for n, line in enumerate(f, start=1):
            done += len(line)
            if on_bytes is not None and n % 4096 == 0:
                on_bytes(done)
            if n == 1:
                line = line.removeprefix(_BOM)
            if line.strip():
                yield n, _decode(line)
        if on_bytes is not None:
            on_bytes(done)


def _json(path: Path) -> Iterator[Item]:
    value = _decode(path.read_bytes().removeprefix(_BOM))
    if isinstance(value, list):
        yield from enumerate(value, start=1)
    else:
        yield 1, value


def _csv(path: Path, on_bytes: Any) -> Iterator[Item]:
    # `utf-8-sig` reads past a byte-order mark; bytes that are not UTF-8 are kept as escapes,
    # so the line holding them is reported instead of the whole file failing there.
    with (
        path.open("rb") as raw,
        io.TextIOWrapper(raw, "utf-8-sig", errors="surrogateescape", newline="") as f,
    ):
        lines = _Lines(f)
        reader = csv.reader(lines)
        header = next(reader, None)
        if header is None:
            return
        lines.take()
        for values in reader:
            taken = lines.take()
            first = lines.number - len(taken) + 1
            if on_bytes is not None and first % 4096 == 0:
                on_bytes(raw.tell())
            if len(taken) == 1:
                if values:
                    yield first, _row(header, values)
                continue
            # No value of a record holds a line break, so a row spanning lines is a quote left
            # open: each line it swallowed is read again on its own, under its own number.
            for n, line in enumerate(taken, start=first):
                yield from _one_line(header, n, line)
        if on_bytes is not None:
            on_bytes(path.stat().st_size)


class _Lines:
    """The file's lines, remembering those the CSV reader consumed since the last `take`."""

    def __init__(self, f: io.TextIOWrapper) -> None:
        self._f = iter(f)
        self._taken: list[str] = []
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._f)
        self.number += 1
        self._taken.append(line)
        return line

    def take(self) -> list[str]:
        taken, self._taken = self._taken, []
        return taken


def _one_line(header: list[str], n: int, line: str) -> Iterator[Item]:
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error as e:
        yield n, Malformed(f"malformed CSV: {e} (a quoted value is not closed on its line)")
        return
    if rows and rows[0]:
        yield n, _row(header, rows[0])


def _row(header: list[str], values: list[str]) -> object:
    if len(values) > len(header):
        return Malformed("more values than columns in the header")
    row = dict(zip(header, values, strict=False))
    if any(_UNDECODED.search(f"{k}{v}") for k, v in row.items()):
        return Malformed(NOT_UTF8)
    return unflatten({k: v for k, v in row.items() if v != ""})


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """`subject.id` → {"subject": {"id": …}}: CSV and flat Parquet name nested fields with dots."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return out


def _parquet(path: Path) -> Iterator[Item]:
    import pyarrow.parquet as pq

    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000):
        for rec in batch.to_pylist():
            row += 1
            value = _clean(unflatten(rec) if any("." in k for k in rec) else rec)
            if isinstance(value.get("attributes"), str):  # attributes kept as a JSON column
                value["attributes"] = _decode(value["attributes"].encode())
            yield row, value


def _clean(value: Any) -> Any:
    """Parquet gives nulls for the struct fields a row lacks, and dates as dates."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, date):
        return value.isoformat()
    return value
