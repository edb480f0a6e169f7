"""Withdrawal: the provider that reported a record takes it back. The record stays in the
ledger, with the withdrawal beside it, and never counts again at any date. Its open objections
are closed as moot with it, and the subject is told."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from credo.adapters.stores.feeds import FeedStore
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.due_process.notices import decision_notice
from credo.domain.due_process.objections import moot_decisions, objections_from
from credo.domain.errors import Refused, UnknownRecord
from credo.domain.ledger.entries import Entry, StepTaken, withdrawal_in
from credo.domain.rules.rulebook import Rulebook
from credo.services.rating.realtime import notice_entry, settle

_ATTEMPTS = 5


class AlreadyWithdrawn(Refused):
    title = "Already withdrawn"


def withdraw_record(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    *,
    record_id: str,
    reason: str,
    actor: str,
    provider: str | None,
    today: date,
    now: datetime,
) -> Entry:
    """Withdraw one record. With `provider`, only that provider's own records: another's is
    answered as a record that does not exist. Without, an operator acts (`credo withdraw`).

    An objection still open on the record has nothing left to decide: it is closed as moot
    (by `actor`, with the withdrawal's reason as its note) in the same transaction as the
    withdrawal, with a notice to the subject, so no reviewer can rule on a withdrawn record."""
    lr = store.record(record_id)
    if lr is None or (provider is not None and lr.record.source != provider):
        raise UnknownRecord(f"no record {record_id!r} from {provider or 'any source'}")
    # A reviewer deciding an objection meanwhile takes the step the moot closing would: read
    # again and close what is still open. A second withdrawal is refused, naming the first.
    for _ in range(_ATTEMPTS):
        entries = store.entries_of(record_id)
        earlier = withdrawal_in(entries)
        if earlier is not None:
            raise AlreadyWithdrawn(
                f"record {record_id} was already withdrawn on {earlier.at.date()} by "
                f"{earlier.actor}"
            )
        entry = Entry("withdrawal", record_id, actor, now, {"reason": reason})
        closed = moot_decisions(objections_from(entries), by=actor, note=reason, at=now)
        told = [
            notice_entry(
                decision_notice(lr.record, d.data["objection_id"], "moot", reason, today), now
            )
            for d in closed
        ]
        try:
            seqs = store.append_entries([entry, *closed, *told])
        except StepTaken:
            continue
        settle(store, feeds, rulebook, {lr.record.subject.id}, today=today, now=now)
        return replace(entry, seq=seqs[0])
    raise Refused(
        f"record {record_id} changed under {_ATTEMPTS} attempts to withdraw it; try again"
    )
