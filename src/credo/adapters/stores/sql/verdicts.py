"""The judged ledger in an SQL store: each record's verdict in `verdicts`, written in the
transaction that appends the record, its status rewritten in the one that appends an entry
changing it, and the rulebook they were all judged by in `verdicts_state`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from credo.adapters.stores.protocol import Judged
from credo.adapters.stores.sql.base import SqlBase
from credo.adapters.stores.sql.rows import entry_from_row
from credo.adapters.stores.sql.tables import entries, verdicts, verdicts_state
from credo.adapters.stores.sql.tables import records as records_table
from credo.domain.ledger.entries import STATUS_KINDS, Entry, status_from
from credo.domain.scoring.verdicts import VERDICT_FIELDS, verdict_row

if TYPE_CHECKING:
    import pyarrow as pa

_CHUNK = 5_000  # verdicts replaced per statement pair when a whole ledger is judged again


class SqlVerdicts(SqlBase):
    def verdicts_key(self) -> str | None:
        with self._errors(), self._read() as conn:
            return _key(conn)

    def verdict_table(self) -> pa.Table:
        from credo.adapters.engines.verdict_ledger import verdict_table

        query = select(*(verdicts.c[name] for name in VERDICT_FIELDS))
        with self._errors(), self._read(**self.snapshot) as conn:
            return verdict_table(conn.execute(query))

    def put_verdicts(
        self, judged: Judged, *, records: int, after: str | None, whole: bool = False
    ) -> bool:
        # Taken as an append is, so no record or entry goes in meanwhile.
        with self._errors(), self._append_tx() as conn:
            if whole:
                conn.execute(delete(verdicts))
            else:
                ids = [v.record_id for v in judged.verdicts]
                for i in range(0, len(ids), _CHUNK):
                    chunk = ids[i : i + _CHUNK]
                    conn.execute(delete(verdicts).where(self._one_of(verdicts.c.record_id, chunk)))
            self._insert_verdicts(conn, [verdict_row(v) for v in judged.verdicts])
            # Statuses as the ledger says now, not as when the verdicts were judged.
            self._restatus_verdicts(conn, None if whole else [v.record_id for v in judged.verdicts])
            held = conn.execute(select(func.count()).select_from(records_table)).scalar_one()
            # An empty ledger's verdicts are by any rulebook.
            by_after = held == 0 or (after is not None and _key(conn) == after)
            current = held == records and (whole or by_after)
            _set_key(conn, judged.key if current else None)
            return current

    # -- within the ledger's own transactions ------------------------------------------------

    def _ledger_is_empty(self, conn: Connection) -> bool:
        return conn.execute(select(records_table.c.seq).limit(1)).first() is None

    def _keep_verdicts(
        self, conn: Connection, created: Collection[str], judged: Judged | None, fresh: bool
    ) -> None:
        """The verdicts of the records this transaction created; the ledger's key stays only
        if every one came judged by it (or the ledger was empty before)."""
        found = {v.record_id: v for v in judged.verdicts} if judged else {}
        self._insert_verdicts(conn, [verdict_row(found[rid]) for rid in created if rid in found])
        whole = judged is not None and all(rid in found for rid in created)
        if whole and judged is not None and fresh:
            _set_key(conn, judged.key)
        elif not (whole and judged is not None and _key(conn) == judged.key):
            _set_key(conn, None)

    def _entries_changed(self, conn: Connection, batch: Sequence[Entry]) -> None:
        """The status of each record these entries change, as the ledger now says."""
        ids = sorted({e.record_id for e in batch if e.kind in STATUS_KINDS})
        if ids:
            judged = select(verdicts.c.record_id).where(self._one_of(verdicts.c.record_id, ids))
            if held := list(conn.execute(judged).scalars()):
                self._restatus_verdicts(conn, held)

    def _restatus_verdicts(self, conn: Connection, ids: list[str] | None) -> None:
        """The status of these records' verdicts (None: every record with a status entry) from
        the entries held now."""
        query = select(entries).where(entries.c.kind.in_(STATUS_KINDS)).order_by(entries.c.seq)
        if ids is not None:
            if not ids:
                return
            query = query.where(self._one_of(entries.c.record_id, sorted(set(ids))))
        found: dict[str, list[Entry]] = {}
        for row in conn.execute(query):
            e = entry_from_row(row)
            found.setdefault(e.record_id, []).append(e)
        values = []
        for rid in sorted(found) if ids is None else sorted(set(ids)):
            s = status_from(found.get(rid, []))
            values.append({"rid": rid, "w": s.withdrawn, "o": s.overturned, "d": s.disputed})
        statement = (
            update(verdicts)
            .where(verdicts.c.record_id == bindparam("rid"))
            .values(withdrawn=bindparam("w"), overturned=bindparam("o"), disputed=bindparam("d"))
        )
        if values:
            conn.execute(statement, values)

    def _insert_verdicts(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            conn.execute(
                verdicts.insert(), [dict(zip(VERDICT_FIELDS, r, strict=True)) for r in rows]
            )


def _key(conn: Connection) -> str | None:
    query = select(verdicts_state.c.rulebook_key).where(verdicts_state.c.id == 1)
    return conn.execute(query).scalar()


def _set_key(conn: Connection, key: str | None) -> None:
    done = conn.execute(
        update(verdicts_state).where(verdicts_state.c.id == 1).values(rulebook_key=key)
    )
    if not done.rowcount:
        conn.execute(verdicts_state.insert().values(id=1, rulebook_key=key))
