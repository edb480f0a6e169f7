"""The ledger store: the one interface the services use to reach a database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from credo.domain.entries import Entry
from credo.domain.records import LedgerRecord, Record
from credo.domain.subjects import Subject


class Outcome(StrEnum):
    CREATED = "created"
    PRESENT = "already present"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class StoredPack:
    pack_id: str
    version: int
    effective_from: date
    checksum: str
    source: str  # the YAML text as adopted
    adopted_at: datetime


class LedgerStore(Protocol):
    """An append-only ledger of packs, records and the entries that refer to records.

    Implementations: `MemoryLedgerStore`, `SqliteLedgerStore`, `PostgresLedgerStore`. Every one
    passes the same contract suite in `tests/contract/`.
    """

    def migrate(self) -> None:
        """Bring the schema up to date (idempotent)."""

    def adopt_pack(self, pack: StoredPack) -> bool:
        """Store a pack version. True if new, False if the same content was already adopted;
        raises `PackConflict` for other content under the same pack and version."""

    def packs(self) -> list[StoredPack]: ...

    def append_records(self, records: Sequence[Record], *, recorded_at: datetime) -> list[Outcome]:
        """Append in one transaction; one outcome per record, in order. The idempotency key
        (source, source_ref) is enforced by the database: a replay with the same fingerprint
        is PRESENT, other content is CONFLICT and nothing of it is written. A batch that
        repeats a key is judged in order, as if sent one by one."""

    def subjects(self, ids: Iterable[str]) -> dict[str, Subject]:
        """The known subjects among `ids` (as first recorded)."""

    def records_of(self, subject_id: str) -> list[LedgerRecord]:
        """Every record of a subject with its current status, oldest first."""

    def record(self, record_id: str) -> LedgerRecord | None: ...

    def append_entry(self, entry: Entry) -> int:
        """Append a withdrawal, objection or decision; returns its sequence number."""

    def entries_of(self, record_id: str) -> list[Entry]: ...

    def count_records(self) -> int: ...

    def iter_records(self, batch_size: int = 10_000) -> Iterator[list[LedgerRecord]]:
        """Every record with its status, in batches grouped so a subject never spans two."""

    def close(self) -> None: ...
