"""Materialised scores on SQLAlchemy Core, shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

import orjson
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.engine import Connection

from credo.adapters.stores.protocol import ScoreRun, StoredScore
from credo.adapters.stores.sql.base import SqlBase
from credo.adapters.stores.sql.decoded import stored_score
from credo.adapters.stores.sql.tables import score_runs, scores

_CHUNK = 20_000


def score_row(s: StoredScore, run_id: int | None) -> dict[str, Any]:
    return {
        "subject_id": s.subject_id,
        "pack_id": s.pack_id,
        "version": s.version,
        "checksum": s.checksum,
        "as_of": s.as_of,
        "score": s.score,
        "tier": s.tier,
        "lists": orjson.dumps(
            [[m.list_id, m.record_id, m.since.isoformat(), m.until.isoformat()] for m in s.lists]
        ).decode(),
        "valid_until": s.valid_until,
        "run_id": run_id,
        "computed_at": s.computed_at,
        "ledger_size": s.ledger_size,
    }


def _stored(row: Any) -> StoredScore:
    return stored_score(tuple(row))


def _chunks(items: Iterable[StoredScore]) -> Iterator[list[StoredScore]]:
    it = iter(items)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk


class SqlScores(SqlBase):
    """The materialised scores of a SQL ledger store, on its transactions (`SqlBase`)."""

    def replace_scores(self, run: ScoreRun, items: Iterable[StoredScore]) -> int:
        with self._errors(), self._write() as conn:
            run_id = _run(conn, run)
            conn.execute(delete(scores))
            for chunk in _chunks(items):
                self._insert_scores(conn, [score_row(s, run_id) for s in chunk])
            return run_id

    def add_scores(self, run: ScoreRun, items: Iterable[StoredScore]) -> int:
        with self._errors(), self._write() as conn:
            run_id = _run(conn, run)
            for chunk in _chunks(items):
                ids = [s.subject_id for s in chunk]
                conn.execute(delete(scores).where(self._one_of(scores.c.subject_id, ids)))
                self._insert_scores(conn, [score_row(s, run_id) for s in chunk])
            return run_id

    def _insert_scores(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Rows of `score_row`. A dialect may write many faster (`sqlite`, `postgres`): a
        recompute writes one per subject."""
        conn.execute(insert(scores), rows)

    def holding_scores(
        self, as_of: date, since: datetime | None
    ) -> dict[str, tuple[str, int, str]]:
        c = scores.c
        query = select(c.subject_id, c.pack_id, c.version, c.checksum).where(
            c.as_of <= as_of, or_(c.valid_until.is_(None), c.valid_until > as_of)
        )
        if since is not None:
            query = query.where(c.computed_at >= since)
        with self._errors(), self._read() as conn:
            # Through SQLAlchemy, which writes the instant as the column keeps it.
            rows = conn.execute(query).all()
        return {sid: (pack, int(v), checksum) for sid, pack, v, checksum in rows}

    def _forget(self, conn: Connection, subject_ids: Iterable[str]) -> None:
        """Called inside the transaction that changes these subjects' ledgers."""
        ids = list(set(subject_ids))
        for i in range(0, len(ids), _CHUNK):
            where = self._one_of(scores.c.subject_id, ids[i : i + _CHUNK])
            conn.execute(delete(scores).where(where))

    def put_score(self, score: StoredScore) -> None:
        self.put_scores([score])

    def put_scores(self, items: Sequence[StoredScore]) -> None:
        if not items:
            return
        ids = [s.subject_id for s in items]
        mine = self._one_of(scores.c.subject_id, ids)
        with self._errors(), self._write() as conn:
            query = select(scores.c.subject_id, scores.c.ledger_size).where(mine)
            held = dict(conn.execute(query).all())
            kept = [s for s in items if not _newer(held.get(s.subject_id), s.ledger_size)]
            if not kept:
                return
            replaced = self._one_of(scores.c.subject_id, [s.subject_id for s in kept])
            conn.execute(delete(scores).where(replaced))
            conn.execute(insert(scores), [score_row(s, s.run_id) for s in kept])

    def stored_score(self, subject_id: str) -> StoredScore | None:
        with self._errors(), self._read() as conn:
            row = conn.execute(select(scores).where(scores.c.subject_id == subject_id)).first()
        return _stored(row) if row is not None else None

    def last_run(self) -> ScoreRun | None:
        query = select(score_runs).order_by(score_runs.c.run_id.desc()).limit(1)
        with self._errors(), self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        versions = {k: (v[0], v[1]) for k, v in orjson.loads(row.versions).items()}
        return ScoreRun(
            row.as_of, row.engine, versions, row.subjects, row.records, row.seconds, row.finished_at
        )


def _run(conn: Connection, run: ScoreRun) -> int:
    query = (
        insert(score_runs)
        .values(
            as_of=run.as_of,
            engine=run.engine,
            versions=orjson.dumps(run.versions).decode(),
            subjects=run.subjects,
            records=run.records,
            seconds=run.seconds,
            finished_at=run.finished_at,
        )
        .returning(score_runs.c.run_id)
    )
    return int(conn.execute(query).scalar_one())


def _newer(held: int | None, offered: int | None) -> bool:
    """Whether the stored score was judged on a larger ledger than the one offered."""
    return held is not None and offered is not None and held > offered
