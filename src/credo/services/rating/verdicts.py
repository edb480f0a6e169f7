"""The judged ledger a store keeps (`VerdictStore`): records judged as they are taken, judged
again where an adoption changes verdicts, the whole ledger judged again when the store cannot
say its verdicts are by the rulebook in force (`rejudge`), and read back for the fold."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from credo.adapters.stores.protocol import Judged, LedgerStore
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.ledger.subjects import governs
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.verdicts import judge_for


def judged_records(rulebook: Rulebook, records: Sequence[Record]) -> Judged:
    """New records' verdicts (a record is taken without entries, so active)."""
    judge = judge_for(rulebook)
    return Judged(judge.key, [judge.verdict_of(r) for r in records])


def rejudge(
    store: LedgerStore,
    rulebook: Rulebook,
    *,
    where: Callable[[LedgerRecord], bool] | None = None,
    after: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Judge the ledger's records again by `rulebook` and keep their verdicts: every record,
    or, with `where`, those it picks, the rest being judged alike by the rulebook before
    (`after`). True if the store's verdicts are then all by `rulebook`."""
    judge = judge_for(rulebook)
    verdicts = []
    seen = 0
    for batch in store.iter_records():
        seen += len(batch)
        verdicts += [judge.verdict(lr) for lr in batch if where is None or where(lr)]
        if progress:
            progress(len(batch))
    return store.put_verdicts(
        Judged(judge.key, verdicts), records=seen, after=after, whole=where is None
    )


def rejudge_for_adoption(store: LedgerStore, before: Rulebook, after: Rulebook, pack: Pack) -> bool:
    """After `pack` is adopted: only records of a kind it holds can be judged otherwise, those
    in its jurisdiction (by a new version, or by a new pack more specific than the one before)
    and those with a case, which may repair a list entry of the same subject and case opened
    where the pack governs (a subject moves)."""
    kinds = set(pack.subject_kinds)

    def affected(lr: LedgerRecord) -> bool:
        r = lr.record
        return r.subject.kind in kinds and (
            r.case_ref is not None or governs(pack.jurisdiction, r.subject.region)
        )

    return rejudge(store, after, where=affected, after=judge_for(before).key)
