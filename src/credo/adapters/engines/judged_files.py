"""The judged ledger kept on disk beside a Parquet ledger: its tables, the key that says which
ledger files and which rulebook it was judged from, and how it is written (atomically, the latest
two keys kept) and read (memory-mapped Arrow IPC, folded where it lies)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

from credo.adapters.engines.protocol import LedgerSource
from credo.domain.rules.rulebook import Rulebook

FORMAT = "credo-judged-1"  # the judged ledger's layout: a new one is judged afresh
TABLES = ("records", "lists", "subjects", "places")
KEPT = 2  # judged ledgers kept beside one ledger: this rulebook's and the one before


@dataclass(frozen=True)
class JudgedLedger:
    """The judged ledger's tables: `records` and `lists` as `sql.judge.assemble` gives them,
    `subjects` (subject_id by subject number) and `places` (region, kind by place number)."""

    records: pa.Table
    lists: pa.Table
    subjects: pa.Table
    places: pa.Table


def ledger_files(source: LedgerSource) -> list[Path] | None:
    """The ledger's files, or None when it is not on disk."""
    found: list[Path] = []
    for part in (source.records, source.entries):
        if part is None:
            continue
        if isinstance(part, pa.Table):
            return None
        found += [Path(p) for p in sorted(glob.glob(str(part)))]
    return found


def cache_key(files: Iterable[Path], rulebook: Rulebook, folder: Path) -> str:
    """A hash of the layout, every file's name and content, and every adopted version."""
    h = hashlib.sha256(FORMAT.encode())
    for path in files:
        h.update(f"\0{path.name}\0{file_checksum(path, folder)}".encode())
    for v in sorted(rulebook.all_versions(), key=lambda v: (v.id, v.version)):
        h.update(f"\0{v.id}\0{v.version}\0{v.checksum}".encode())
    return h.hexdigest()[:32]


def file_checksum(path: Path, folder: Path) -> str:
    """The SHA-256 of a file's content, remembered by its size, modification time and inode in
    `folder/checksums.json`, so a ledger file is read through once per version of it."""
    book = folder / "checksums.json"
    known: dict[str, list[object]] = {}
    if book.exists():
        try:
            known = json.loads(book.read_text())
        except ValueError:  # a torn write by a concurrent run: work the sums out again
            known = {}
    st = path.stat()
    stamp: list[object] = [st.st_size, st.st_mtime_ns, st.st_ino]
    entry = known.get(str(path.resolve()))
    if entry is not None and entry[:3] == stamp:
        return str(entry[3])
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    known[str(path.resolve())] = [*stamp, digest]
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(book, json.dumps(known))
    return digest


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def save(judged: JudgedLedger, folder: Path, meta: dict[str, object]) -> None:
    """Written into a fresh folder and renamed into place, so a reader never sees half of it.
    Of other keys' folders (another ledger or rulebook) the latest is kept, so that a simulation
    (the rulebook as adopted and as proposed) folds both; older ones are removed."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".judging-"))
    for name in TABLES:
        table = getattr(judged, name).combine_chunks()
        # One uncompressed chunk per column: read back memory-mapped, in place, as arrays.
        feather.write_feather(
            table, tmp / f"{name}.arrow", compression="uncompressed", chunksize=table.num_rows or 1
        )
    (tmp / "meta.json").write_text(json.dumps(meta))
    if folder.exists():
        shutil.rmtree(folder)
    try:
        os.rename(tmp, folder)
    except OSError:  # another run wrote the same key meanwhile: the same content
        shutil.rmtree(tmp, ignore_errors=True)
    others = [
        p
        for p in folder.parent.iterdir()
        if p.is_dir() and p.name != folder.name and not p.name.startswith(".")
    ]
    others.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for other in others[KEPT - 1 :]:
        shutil.rmtree(other, ignore_errors=True)


def load(folder: Path) -> JudgedLedger:
    return JudgedLedger(
        *(feather.read_table(folder / f"{name}.arrow", memory_map=True) for name in TABLES)
    )
