"""When a store's verdicts are known to be by one rulebook (`VerdictStore.verdicts_key`): the
rules every store applies, as it appends records and as verdicts are put in place."""

from __future__ import annotations

from collections.abc import Collection

from credo.adapters.stores.protocol import Judged


def key_after_append(
    held: str | None, created: Collection[str], judged: Judged | None
) -> str | None:
    """The key once these records are appended: kept only if every one created came with its
    verdict, judged by the same rulebook as the rest."""
    if judged is None or judged.key != held:
        return None
    judged_ids = {v.record_id for v in judged.verdicts}
    return held if all(rid in judged_ids for rid in created) else None


def key_after_put(
    held: str | None, judged: Judged, *, records: int, seen: int, after: str | None, whole: bool
) -> str | None:
    """The key once `judged` is put in place, over a ledger of `records` records of which the
    judging saw `seen` (fewer: one was appended meanwhile, by the rulebook before): every
    verdict put (`whole`), or those a rulebook moving from `after` changes. An empty ledger's
    verdicts are by any rulebook."""
    if records != seen:
        return None
    return judged.key if whole or records == 0 or (after is not None and held == after) else None
