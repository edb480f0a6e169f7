"""What each ledger entry contributes to the Merkle tree: its canonical bytes (SPEC §9).

Every kind of entry is one JSON object with an `entry` member naming the kind, holding exactly
what the ledger keeps of it and what the API shows, so a leaf can be recomputed by anyone who
can see the entry. The ledger order is the order leaves were appended: a batch's packs, then
its records in record id order, then its entries in sequence order; an administrator's act is
a batch of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, Literal, Protocol

import orjson

from credo.domain.audit.canonical import (
    canonical_json,
    instant_text,
    numbers_written,
    plain_scalars,
    rfc3339,
)
from credo.domain.audit.merkle import HASH_SIZE, Hash, leaf_hash
from credo.domain.ledger.entries import AdminEntry, Entry
from credo.domain.ledger.records import Record

LeafKind = Literal["pack", "record", "entry", "admin"]

Held = tuple[LeafKind, str, Hash, int]
"""A row the ledger holds: the kind and ref of its leaf, the leaf hash of its content as stored
now, and its sequence in its table (0 for a pack)."""

KINDS: tuple[LeafKind, ...] = ("pack", "record", "entry", "admin")
"""Every kind of leaf, in the order the ledger's contents are read."""

SEQUENCED: tuple[LeafKind, ...] = KINDS[1:]
"""The kinds whose rows are numbered in the log's order (packs are named, not numbered)."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """One leaf as the log keeps it: where it is, what it stands for and its hash. `ref` names
    the row: a record's id, an entry's or an admin entry's sequence number, a pack as
    `id@version`."""

    index: int
    kind: LeafKind
    ref: str
    hash: Hash


@dataclass(slots=True)
class Run:
    """Rows of one kind in order, as two columns: the refs of their leaves and their leaf hashes
    end to end (32 bytes each). `audit verify` compares the ledger with its log as runs, two
    comparisons a kind, instead of looking up each of a million entries."""

    refs: list[str] = field(default_factory=list)
    hashes: bytearray = field(default_factory=bytearray)

    def extend(self, other: Run) -> None:
        self.refs += other.refs
        self.hashes += other.hashes

    def pairs(self) -> list[tuple[str, bytes]]:
        """Each ref with its hash, sorted: packs are named, not numbered, so they are compared
        as a set."""
        h, n = self.hashes, HASH_SIZE
        return sorted((ref, bytes(h[n * i : n * i + n])) for i, ref in enumerate(self.refs))


def runs_of(rows: Iterable[Held]) -> dict[str, Run]:
    """Rows in order (a ledger's contents, or its log's leaves), as a run per kind: one for
    each of `KINDS`, and one for any other kind a row names (which no store writes, and which
    `audit verify` then reports). Rows of a kind come in long stretches (a table's rows, a
    batch's records then its entries), so each stretch is moved whole."""
    runs: dict[str, Run] = {kind: Run() for kind in KINDS}
    for kind, stretch in groupby(rows, key=itemgetter(0)):
        run = runs.setdefault(kind, Run())
        some = list(stretch)
        run.refs += map(itemgetter(1), some)
        run.hashes += b"".join(map(itemgetter(2), some))
    return runs


@dataclass(slots=True)
class Logged:
    """The log's leaves as columns, what `audit verify` compares and rebuilds when nothing was
    changed: every leaf hash in index order, the leaves of each kind as a run, and whether the
    leaves are numbered 0, 1, 2, … without a gap."""

    hashes: list[Hash]
    runs: dict[str, Run]
    numbered: bool


def logged(rows: Sequence[Held]) -> Logged:
    """The log's leaves in index order, each index once, as `Held` rows (their index in the
    place of a sequence number), as columns."""
    numbered = not rows or (rows[0][3] == 0 and rows[-1][3] == len(rows) - 1)
    return Logged([row[2] for row in rows], runs_of(rows), numbered)


def record_row_json(row: Sequence[Any], recorded_at: datetime | str) -> dict[str, Any]:
    """`record_json` straight from a stored row (record id, source, source ref, subject id,
    kind, region, type, occurred_at, attributes as JSON text, evidence uri and hash, case),
    without building the record: what `credo audit verify` does a million times."""
    (rid, source, ref, sid, kind, region, type_, occurred, attrs, uri, sha, case) = row
    body: dict[str, Any] = {
        "entry": "record",
        "record_id": rid,
        "recorded_at": instant_text(recorded_at),
        "subject": {"id": sid, "kind": kind, "region": region},
        "type": type_,
        "occurred_at": occurred if isinstance(occurred, str) else occurred.isoformat(),
        "source": source,
        "source_ref": ref,
        "attributes": orjson.loads(attrs),
    }
    if uri is not None:
        body["evidence"] = {"uri": uri, "sha256": sha}
    if case:
        body["case_ref"] = case
    return body


def record_json(record: Record, recorded_at: datetime) -> dict[str, Any]:
    return {
        "entry": "record",
        "record_id": record.record_id,
        "recorded_at": rfc3339(recorded_at),
        **record.to_json(),
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    return entry_row_json(entry.kind, entry.record_id, entry.actor, entry.at, entry.data)


def entry_row_json(
    kind: str, record_id: str, actor: str, at: datetime | str, data: Any
) -> dict[str, Any]:
    """`entry_json` straight from a stored row, its instant as the store reads it back."""
    return {
        "entry": kind,
        "record_id": record_id,
        "actor": actor,
        "at": instant_text(at),
        "data": data,
    }


def admin_json(entry: AdminEntry) -> dict[str, Any]:
    return {"entry": entry.kind, "actor": entry.actor, "at": rfc3339(entry.at), "data": entry.data}


class AdoptedPack(Protocol):
    """A pack version as the ledger keeps it."""

    @property
    def pack_id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def effective_from(self) -> date: ...
    @property
    def checksum(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def adopted_at(self) -> datetime: ...
    @property
    def adopted_by(self) -> str | None: ...


def pack_json(pack: AdoptedPack) -> dict[str, Any]:
    # Who adopted it is known since adoptions were audited; a pack adopted before has no
    # `actor`, and hashes as it always did.
    actor = {"actor": pack.adopted_by} if pack.adopted_by is not None else {}
    return {
        **actor,
        "entry": "pack",
        "pack": pack.pack_id,
        "version": pack.version,
        "effective_from": pack.effective_from.isoformat(),
        "checksum": pack.checksum,
        "source": pack.source,
        "adopted_at": rfc3339(pack.adopted_at),
    }


def hash_of(entry: dict[str, Any]) -> Hash:
    if entry["entry"] == "record":
        # Every member but the attributes is a string by construction: only they need a look,
        # and numbers among them are written once, in place.
        attributes = entry["attributes"]
        if plain_scalars(attributes):
            return leaf_hash(canonical_json(entry, plain=True))
        written = numbers_written(attributes)
        if written is not None:
            return leaf_hash(canonical_json({**entry, "attributes": written}, plain=True))
    return leaf_hash(canonical_json(entry))


def pack_ref(pack_id: str, version: int) -> str:
    return f"{pack_id}@{version}"
