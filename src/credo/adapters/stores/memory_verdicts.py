"""The verdicts of a memory ledger (`VerdictStore`): each record's, by record id, and the
rulebook they are known to be by. `MemoryLedgerStore` holds the state (under its one lock) and
keeps a record's verdict as it appends the record, its status as it appends entries."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from credo.adapters.stores.protocol import Judged
from credo.adapters.stores.verdict_keys import key_after_append, key_after_put
from credo.domain.ledger.entries import STATUS_KINDS, Entry, status_from
from credo.domain.ledger.records import Record
from credo.domain.scoring.verdicts import Verdict, verdict_row

if TYPE_CHECKING:
    import pyarrow as pa


class MemoryVerdicts:
    _lock: threading.RLock
    _records: dict[str, tuple[int, Record, str]]
    _verdicts: dict[str, Verdict]  # by record_id
    _verdicts_key: str | None

    def _entries_of(self, record_id: str) -> list[Entry]:
        raise NotImplementedError

    def verdicts_key(self) -> str | None:
        with self._lock:
            return self._verdicts_key

    def verdict_table(self) -> pa.Table:
        from credo.adapters.engines.verdict_ledger import verdict_table

        with self._lock:
            held = list(self._verdicts.values())
        return verdict_table(verdict_row(v) for v in held)

    def put_verdicts(
        self, judged: Judged, *, records: int, after: str | None, whole: bool = False
    ) -> bool:
        with self._lock:
            if whole:
                self._verdicts = {}
            for v in judged.verdicts:
                status = status_from(self._entries_of(v.record_id))
                self._verdicts[v.record_id] = v.with_status(status)
            self._verdicts_key = key_after_put(
                self._verdicts_key,
                judged,
                records=len(self._records),
                seen=records,
                after=after,
                whole=whole,
            )
            return self._verdicts_key == judged.key

    def _keep_verdicts(self, created: Collection[str], judged: Judged | None) -> None:
        """Under the lock, as the records `created` are appended."""
        if judged is not None:
            # A batch may hold a record twice (the first counts): one verdict a record created.
            found = {v.record_id: v for v in reversed(judged.verdicts)}
            self._verdicts.update((rid, found[rid]) for rid in created if rid in found)
        self._verdicts_key = key_after_append(self._verdicts_key, created, judged)

    def _restatus(self, entries: Sequence[Entry]) -> None:
        """Under the lock, as `entries` are appended: the status of the records they change."""
        for rid in {e.record_id for e in entries if e.kind in STATUS_KINDS}:
            if (held := self._verdicts.get(rid)) is not None:
                self._verdicts[rid] = held.with_status(status_from(self._entries_of(rid)))
