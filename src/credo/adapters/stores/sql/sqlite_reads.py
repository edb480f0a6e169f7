"""One subject's reads on an SQLite ledger through the standard library's `sqlite3` alone: what
`credo score` needs (the packs, the subject's records with their statuses, its stored score),
without SQLAlchemy, whose import takes longer than such a command may take to answer.

Only a ledger that needs nothing done is read this way: at the newest migration, with its log
filled. Anything else (a new file, a ledger to migrate) is the store's to open, which may
write. The statements read what `SqliteLedgerStore` reads, and a contract test holds every
answer equal to the store's on the same ledger (`tests/contract/test_sqlite_reads.py`).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from credo.adapters.stores.migrations import head_revision
from credo.adapters.stores.protocol import StoredPack, StoredScore
from credo.adapters.stores.sql.decoded import as_date, ledger_records, stored_score
from credo.domain.errors import StoreUnavailable
from credo.domain.ledger.entries import STATUS_KINDS, Entry, status_from
from credo.domain.ledger.records import LedgerRecord

_KINDS = ", ".join(f"'{kind}'" for kind in STATUS_KINDS)

PACKS = """
SELECT pack_id, version, effective_from, checksum, source, adopted_at, adopted_by
FROM packs ORDER BY pack_id, version
"""
RECORDS = """
SELECT r.seq, r.record_id, r.source, r.source_ref, r.subject_id, s.kind,
       coalesce(r.region, s.region), r.type, r.occurred_at, r.attributes, r.evidence_uri,
       r.evidence_sha256, r.case_ref
FROM records AS r JOIN subjects AS s ON r.subject_id = s.id
WHERE r.subject_id = ? ORDER BY r.occurred_at, r.seq
"""
STATUSES = f"""
SELECT e.seq, e.kind, e.record_id, e.actor, e.at, e.data
FROM entries AS e JOIN records AS r ON e.record_id = r.record_id
WHERE r.subject_id = ? AND e.kind IN ({_KINDS}) ORDER BY e.seq
"""
SCORE = """
SELECT subject_id, pack_id, version, checksum, as_of, score, tier, lists, valid_until, run_id,
       computed_at, ledger_size
FROM scores WHERE subject_id = ?
"""


def _instant(text: str) -> datetime:
    """An instant as the SQLite store keeps it: ISO text in UTC (`tables.UtcDateTime`)."""
    return datetime.fromisoformat(text)


class SqliteReads:
    """`SubjectReads` on an SQLite file, opened read-only."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def open(cls, url: str) -> SqliteReads | None:
        """The reads of the ledger at `url` (`sqlite:///path`), or None where the store must
        open it: another database, a file that is not there, or one that is not at the newest
        migration with its log filled."""
        path = url.removeprefix("sqlite:///")
        if path == url or not path or "?" in path or not Path(path).is_file():
            return None
        try:
            connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return None
        try:
            versions = {v for (v,) in connection.execute("SELECT version_num FROM alembic_version")}
            logged = connection.execute("SELECT 1 FROM audit_leaves LIMIT 1").fetchone()
        except sqlite3.Error:  # no such table: a ledger before its first migration
            versions, logged = set(), None
        if versions != {head_revision()} or logged is None:
            connection.close()
            return None
        return cls(connection)

    def close(self) -> None:
        self._db.close()

    def _all(self, query: str, *params: Any) -> list[Any]:
        try:
            return self._db.execute(query, params).fetchall()
        except sqlite3.OperationalError as e:  # locked past the timeout, the file gone
            raise StoreUnavailable(f"the SQLite ledger cannot be read: {e}") from e

    def packs(self) -> list[StoredPack]:
        return [
            StoredPack(pack, version, as_date(since), checksum, source, _instant(at), by)
            for pack, version, since, checksum, source, at, by in self._all(PACKS)
        ]

    def records_of(self, subject_id: str) -> list[LedgerRecord]:
        rows = self._all(RECORDS, subject_id)
        if not rows:
            return []
        found: dict[str, list[Entry]] = {}
        for seq, kind, record_id, actor, at, data in self._all(STATUSES, subject_id):
            entry = Entry(kind, record_id, actor, _instant(at), json.loads(data), seq)
            found.setdefault(record_id, []).append(entry)
        return ledger_records(rows, {rid: status_from(es) for rid, es in found.items()})

    def stored_score(self, subject_id: str) -> StoredScore | None:
        rows = self._all(SCORE, subject_id)
        if not rows:
            return None
        *before, at, size = rows[0]
        return stored_score((*before, _instant(at), size))
