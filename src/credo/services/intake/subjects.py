"""What every intake path judges the same way against what is already recorded: a subject keeps
the kind it was first recorded with, and a (source, source_ref) pair holds one record only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.ledger.records import Record
from credo.domain.ledger.subjects import Subject, kind_changed

K = TypeVar("K")  # where the caller reports an item: a line of a file, an index of a request


def consistent_subjects(
    store: LedgerStore, parsed: Sequence[tuple[K, Record]], known: dict[str, Subject] | None = None
) -> tuple[list[tuple[K, Record]], list[tuple[K, Record, str]]]:
    """The records whose subject keeps its kind, and the others with the reason. `known` holds
    subjects not yet in the store (an earlier batch on its way there); it learns the new ones.
    A subject's region may change: subjects move."""
    known = {} if known is None else known
    known.update(store.subjects({r.subject.id for _, r in parsed} - known.keys()))
    accepted: list[tuple[K, Record]] = []
    refused: list[tuple[K, Record, str]] = []
    for key, record in parsed:
        reason = kind_changed(known.setdefault(record.subject.id, record.subject), record.subject)
        # A key already held answers as the append answers it (present, or a conflict): never
        # by what another subject is, which would tell a provider who exists and as what.
        if reason is None or store.record(record.record_id) is not None:
            accepted.append((key, record))
        else:
            refused.append((key, record, reason))
    return accepted, refused


def conflict(record: Record) -> str:
    """Why a record was not appended although valid: its pair already names another record."""
    return (
        f"({record.source}, {record.source_ref}) already holds a different record; records "
        "are never changed: send a new source_ref, or withdraw the old record"
    )
