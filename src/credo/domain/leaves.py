"""What each ledger entry contributes to the Merkle tree: its canonical bytes (SPEC §9).

Every kind of entry is one JSON object with an `entry` member naming the kind, holding exactly
what the ledger keeps of it and what the API shows, so a leaf can be recomputed by anyone who
can see the entry. The ledger order is the order leaves were appended: a batch's packs, then
its records in record id order, then its entries in sequence order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from credo.domain.canonical import canonical_json, rfc3339
from credo.domain.entries import Entry
from credo.domain.merkle import Hash, leaf_hash
from credo.domain.records import Record

LeafKind = Literal["pack", "record", "entry"]


@dataclass(frozen=True, slots=True)
class Leaf:
    """One leaf as the log keeps it: where it is, what it stands for and its hash. `ref` names
    the row: a record's id, an entry's sequence number, a pack as `id@version`."""

    index: int
    kind: LeafKind
    ref: str
    hash: Hash


def record_json(record: Record, recorded_at: datetime) -> dict[str, Any]:
    return {
        "entry": "record",
        "record_id": record.record_id,
        "recorded_at": rfc3339(recorded_at),
        **record.to_json(),
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "entry": entry.kind,
        "record_id": entry.record_id,
        "actor": entry.actor,
        "at": rfc3339(entry.at),
        "data": entry.data,
    }


def pack_json(
    pack_id: str,
    version: int,
    effective_from: date,
    checksum: str,
    source: str,
    adopted_at: datetime,
) -> dict[str, Any]:
    return {
        "entry": "pack",
        "pack": pack_id,
        "version": version,
        "effective_from": effective_from.isoformat(),
        "checksum": checksum,
        "source": source,
        "adopted_at": rfc3339(adopted_at),
    }


def hash_of(entry: dict[str, Any]) -> Hash:
    return leaf_hash(canonical_json(entry))


def pack_ref(pack_id: str, version: int) -> str:
    return f"{pack_id}@{version}"
