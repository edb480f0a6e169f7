"""The judged ledger in an SQL store: each record's verdict in `verdicts`, written in the
transaction that appends the record, its status rewritten in the one that appends an entry
changing it, and the rulebook they were all judged by in `verdicts_state`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from credo.adapters.stores.protocol import Judged
from credo.adapters.stores.sql.base import SqlBase
from credo.adapters.stores.sql.rows import driver_rows, statuses
from credo.adapters.stores.sql.tables import records as records_table
from credo.adapters.stores.sql.tables import verdicts, verdicts_state
from credo.adapters.stores.verdict_keys import key_after_append, key_after_put
from credo.domain.ledger.entries import STATUS_KINDS, Entry
from credo.domain.ledger.records import ACTIVE
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
            self._restatus_verdicts(conn, None if whole else ids)
            held = conn.execute(select(func.count()).select_from(records_table)).scalar_one()
            key = key_after_put(
                _key(conn), judged, records=held, seen=records, after=after, whole=whole
            )
            _set_key(conn, key)
            return key == judged.key

    # -- within the ledger's own transactions ------------------------------------------------

    def _keep_verdicts(
        self, conn: Connection, created: dict[str, int], judged: Judged | None
    ) -> None:
        """The verdicts of the records this transaction created (`created`: their numbers)."""
        if judged is not None:
            # A batch may hold a record twice (the first counts): one verdict a record created.
            found = {v.record_id: v for v in reversed(judged.verdicts)}
            rows = [
                (seq, *verdict_row(found[rid])[_KEPT])
                for rid, seq in created.items()
                if rid in found
            ]
            self._insert_verdicts(conn, sorted(rows, key=lambda row: int(row[0])))
        held = _key(conn)
        key = key_after_append(held, created, judged)
        if key != held:
            _set_key(conn, key)

    def _entries_changed(self, conn: Connection, batch: Sequence[Entry]) -> None:
        """The status of each record these entries change, as the ledger now says."""
        ids = sorted({e.record_id for e in batch if e.kind in STATUS_KINDS})
        if ids:
            self._restatus_verdicts(conn, ids)

    def _seqs(self, conn: Connection, ids: list[str]) -> dict[str, int]:
        """The numbers of these records."""
        out: dict[str, int] = {}
        for i in range(0, len(ids), _CHUNK):
            where = self._one_of(records_table.c.record_id, ids[i : i + _CHUNK])
            query = select(records_table.c.record_id, records_table.c.seq).where(where)
            out.update(conn.execute(query).all())
        return out

    def _restatus_verdicts(self, conn: Connection, ids: list[str] | None) -> None:
        """The status of these records' verdicts (None: every record's) from the entries held
        now. A record with no verdict (taken without one) is left as it is."""
        judged: ColumnElement[bool] = records_table.c.seq.in_(select(verdicts.c.seq))
        if ids is not None:
            judged = and_(judged, self._one_of(records_table.c.record_id, ids))
        found = statuses(conn, judged)
        if ids is None:
            # A ledger judged again whole: its verdicts were put active, so only those with a
            # status to show change.
            ids = list(found)
        numbers = self._seqs(conn, sorted(ids))
        values = [
            {"n": numbers[rid], "w": s.withdrawn, "o": s.overturned, "d": s.disputed}
            for rid in sorted(numbers)
            for s in (found.get(rid, ACTIVE),)
        ]
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
