"""Withdrawal: the provider that reported a record takes it back. The record stays in the
ledger, with the withdrawal beside it, and never counts again at any date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from credo.adapters.stores.feeds import FeedStore
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.entries import Entry
from credo.domain.errors import Refused, UnknownRecord
from credo.domain.rulebook import Rulebook
from credo.services.realtime import settle


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
    answered as a record that does not exist. Without, an operator acts (`credo withdraw`)."""
    lr = store.record(record_id)
    if lr is None or (provider is not None and lr.record.source != provider):
        raise UnknownRecord(f"no record {record_id!r} from {provider or 'any source'}")
    for e in store.entries_of(record_id):
        if e.kind == "withdrawal":
            raise AlreadyWithdrawn(
                f"record {record_id} was already withdrawn on {e.at.date()} by {e.actor}"
            )
    entry = Entry("withdrawal", record_id, actor, now, {"reason": reason})
    seq = store.append_entry(entry)
    settle(store, feeds, rulebook, {lr.record.subject.id}, today=today, now=now)
    return replace(entry, seq=seq)
