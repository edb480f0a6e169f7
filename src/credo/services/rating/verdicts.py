"""The judged ledger a store keeps (`VerdictStore`): records judged as they are taken, judged
again where an adoption changes verdicts, and the whole ledger judged again when the store
cannot say its verdicts are by the rulebook in force (`rejudge`). `credo recompute` folds them
(`services.rating.recompute`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import orjson

from credo.adapters.stores.protocol import Judged, LedgerStore
from credo.domain.ledger.records import Record
from credo.domain.ledger.subjects import governs
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.verdicts import Judge, Verdict, judge_for


def judged_records(rulebook: Rulebook, records: Sequence[Record]) -> Judged:
    """New records' verdicts (a record is taken without entries, so active)."""
    judge = judge_for(rulebook)
    return Judged(judge.key, [judge.verdict_of(r) for r in records])


Picked = Callable[[str, str, str | None], bool]
"""Which records to judge again, by their subject's kind, their region and their case."""


def rejudge(
    store: LedgerStore,
    rulebook: Rulebook,
    *,
    where: Picked | None = None,
    after: str | None = None,
) -> bool:
    """Judge the ledger's records again by `rulebook` and keep their verdicts: every record,
    or, with `where`, those it picks, the rest being judged alike by the rulebook before
    (`after`). True if the store's verdicts are then all by `rulebook`. The store sets each
    verdict's status from the entries as it keeps them."""
    judge = judge_for(rulebook)
    if where is None:
        verdicts, seen = _every_verdict(store, judge)
    else:
        # Record by record through the store's own connections: an adoption runs in a process
        # that may hold other connections to an SQLite file, which a second copy of SQLite
        # (the export's driver) must not open beside them.
        verdicts, seen = [], 0
        for batch in store.iter_records():
            seen += len(batch)
            for lr in batch:
                s = lr.record.subject
                if where(s.kind, s.region, lr.record.case_ref):
                    verdicts.append(judge.verdict(lr))
    return store.put_verdicts(
        Judged(judge.key, verdicts), records=seen, after=after, whole=where is None
    )


def _every_verdict(store: LedgerStore, judge: Judge) -> tuple[list[Verdict], int]:
    """Every record judged, the ledger read as the population engines read it, as columns
    (`export`), not record by record."""
    records, _entries = store.export()
    columns = [
        records.column(c).to_pylist()
        for c in ("record_id", "subject_id", "region", "kind", "occurred_at", "type")
    ]
    cases = records.column("case_ref").to_pylist()
    attributes = records.column("attributes").to_pylist()
    verdicts = [
        judge.verdict_from(rid, sid, region, kind, day, record_type, orjson.loads(attrs), case)
        for rid, sid, region, kind, day, record_type, attrs, case in zip(
            *columns, attributes, cases, strict=True
        )
    ]
    return verdicts, records.num_rows


def rejudge_for_adoption(store: LedgerStore, before: Rulebook, after: Rulebook, pack: Pack) -> bool:
    """After `pack` is adopted: only records of a kind it holds can be judged otherwise, those
    in its jurisdiction (by a new version, or by a new pack more specific than the one before)
    and those with a case, which may repair a list entry of the same subject and case opened
    where the pack governs (a subject moves)."""
    kinds = set(pack.subject_kinds)

    def affected(kind: str, region: str, case_ref: str | None) -> bool:
        return kind in kinds and (case_ref is not None or governs(pack.jurisdiction, region))

    return rejudge(store, after, where=affected, after=judge_for(before).key)
