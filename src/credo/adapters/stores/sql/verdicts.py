"""The judged ledger in an SQL store: each record's verdict in `verdicts`, written in the
transaction that appends the record, its status rewritten in the one that appends an entry
changing it, and the rulebook they were all judged by in `verdicts_state`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from credo.adapters.stores.protocol import Judged
from credo.adapters.stores.sql.base import SqlBase
from credo.adapters.stores.sql.rows import driver_rows, entry_from_row
from credo.adapters.stores.sql.tables import entries, verdicts, verdicts_state
from credo.adapters.stores.sql.tables import records as records_table
from credo.domain.ledger.entries import STATUS_KINDS, Entry, status_from
from credo.domain.scoring.verdicts import VERDICT_FIELDS, VERDICT_KEPT, VerdictRow, verdict_row

if TYPE_CHECKING:
    import pyarrow as pa

_KEPT = slice(len(VERDICT_FIELDS) - len(VERDICT_KEPT), None)  # a row's fields kept here
_CHUNK = 5_000  # verdicts replaced per statement pair when a whole ledger is judged again


class SqlVerdicts(SqlBase):
    def verdicts_key(self) -> str | None:
        with self._errors(), self._read() as conn:
            return _key(conn)

    def verdict_table(self) -> pa.Table:
        """Read by each dialect through its ADBC driver (`export`)."""
        raise NotImplementedError

    def put_verdicts(
        self, judged: Judged, *, records: int, after: str | None, whole: bool = False
    ) -> bool:
        # Taken as an append is, so no record or entry goes in meanwhile.
        with self._errors(), self._append_tx() as conn:
            ids = [v.record_id for v in judged.verdicts]
            seqs = _all_seqs(conn) if whole else self._seqs(conn, ids)
            if whole:
                conn.execute(delete(verdicts))
            else:
                numbers = list(seqs.values())
                for i in range(0, len(numbers), _CHUNK):
                    chunk = numbers[i : i + _CHUNK]
                    conn.execute(delete(verdicts).where(verdicts.c.seq.in_(chunk)))
            rows = [(seqs[v.record_id], *verdict_row(v)[_KEPT]) for v in judged.verdicts]
            self._insert_verdicts(conn, sorted(rows, key=lambda row: int(row[0])))
            # Statuses as the ledger says now, not as when the verdicts were judged.
            self._restatus_verdicts(conn, None if whole else seqs)
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
        self, conn: Connection, created: dict[str, int], judged: Judged | None, fresh: bool
    ) -> None:
        """The verdicts of the records this transaction created (`created`: their numbers); the
        ledger's key stays only if every one came judged by it (or the ledger was empty)."""
        found = {v.record_id: v for v in judged.verdicts} if judged else {}
        rows = [
            (seq, *verdict_row(found[rid])[_KEPT]) for rid, seq in created.items() if rid in found
        ]
        self._insert_verdicts(conn, sorted(rows, key=lambda row: int(row[0])))
        whole = judged is not None and len(rows) == len(created)
        if whole and judged is not None and fresh:
            _set_key(conn, judged.key)
        elif not (whole and judged is not None and _key(conn) == judged.key):
            _set_key(conn, None)

    def _entries_changed(self, conn: Connection, batch: Sequence[Entry]) -> None:
        """The status of each record these entries change, as the ledger now says."""
        ids = sorted({e.record_id for e in batch if e.kind in STATUS_KINDS})
        if not ids:
            return
        seqs = self._seqs(conn, ids)
        held = select(verdicts.c.seq).where(verdicts.c.seq.in_(list(seqs.values())))
        judged = set(conn.execute(held).scalars())
        self._restatus_verdicts(conn, {r: n for r, n in seqs.items() if n in judged})

    def _seqs(self, conn: Connection, ids: list[str]) -> dict[str, int]:
        """The numbers of these records."""
        out: dict[str, int] = {}
        for i in range(0, len(ids), _CHUNK):
            where = self._one_of(records_table.c.record_id, ids[i : i + _CHUNK])
            query = select(records_table.c.record_id, records_table.c.seq).where(where)
            out.update(conn.execute(query).all())
        return out

    def _restatus_verdicts(self, conn: Connection, seqs: dict[str, int] | None) -> None:
        """The status of these records' verdicts (by record id and number; None: every record
        with a status entry) from the entries held now."""
        query = select(entries).where(entries.c.kind.in_(STATUS_KINDS)).order_by(entries.c.seq)
        if seqs is not None:
            if not seqs:
                return
            query = query.where(self._one_of(entries.c.record_id, sorted(seqs)))
        found: dict[str, list[Entry]] = {}
        for row in conn.execute(query):
            e = entry_from_row(row)
            found.setdefault(e.record_id, []).append(e)
        numbers = seqs if seqs is not None else self._seqs(conn, sorted(found))
        values = []
        for rid, seq in sorted(numbers.items()):
            s = status_from(found.get(rid, []))
            values.append({"n": seq, "w": s.withdrawn, "o": s.overturned, "d": s.disputed})
        statement = (
            update(verdicts)
            .where(verdicts.c.seq == bindparam("n"))
            .values(withdrawn=bindparam("w"), overturned=bindparam("o"), disputed=bindparam("d"))
        )
        if values:
            conn.execute(statement, values)

    def _insert_verdicts(self, conn: Connection, rows: list[VerdictRow]) -> None:
        """Rows of `seq` and `verdicts.VERDICT_KEPT`, in `seq` order. A dialect may write
        them faster (`sqlite`, `postgres`)."""
        if rows:
            names = ("seq", *VERDICT_KEPT)
            conn.execute(verdicts.insert(), [dict(zip(names, r, strict=True)) for r in rows])


def _all_seqs(conn: Connection) -> dict[str, int]:
    query = select(records_table.c.record_id, records_table.c.seq)
    return dict(driver_rows(conn, query))


def _key(conn: Connection) -> str | None:
    query = select(verdicts_state.c.rulebook_key).where(verdicts_state.c.id == 1)
    return conn.execute(query).scalar()


def _set_key(conn: Connection, key: str | None) -> None:
    done = conn.execute(
        update(verdicts_state).where(verdicts_state.c.id == 1).values(rulebook_key=key)
    )
    if not done.rowcount:
        conn.execute(verdicts_state.insert().values(id=1, rulebook_key=key))
