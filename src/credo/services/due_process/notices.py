"""Notices: read by their subject, and delivered from the outbox (the notice entries of the
ledger, in order) by a notifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credo.adapters.notifiers import DeliveryFailed, Notifier
from credo.adapters.stores.feeds import Cursor, FeedStore
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.ledger.entries import Entry


def notice_json(entry: Entry) -> dict[str, Any]:
    """A notice as its subject receives it: its number and time, the id of the record it is
    about (what an objection names), then what it says."""
    return {
        "notice": entry.seq,
        "at": entry.at.isoformat(),
        "record_id": entry.record_id,
        **entry.data,
    }


def notices_of(
    store: LedgerStore, subject_id: str, *, after: int = 0, limit: int = 100
) -> list[Entry]:
    """A subject's notices, oldest first."""
    return store.entries_of_kind(["notice"], subject_id=subject_id, after=after, limit=limit)


@dataclass(frozen=True, slots=True)
class Delivery:
    delivered: int
    position: int  # the last notice delivered on this channel
    error: str | None


def deliver_notices(
    store: LedgerStore, feeds: FeedStore, notifier: Notifier, *, now: datetime, batch: int = 500
) -> Delivery:
    """Deliver every notice not yet delivered on the notifier's channel, in order, stopping at
    the first failure (kept with the position, and tried again on the next run)."""
    cursor = feeds.cursor(notifier.channel)
    position = cursor.delivered_seq if cursor else 0
    delivered = 0
    while True:
        pending = store.entries_of_kind(["notice"], after=position, limit=batch)
        if not pending:
            return Delivery(delivered, position, None)
        try:
            notifier.deliver([notice_json(e) for e in pending])
        except DeliveryFailed as e:
            feeds.move_cursor(Cursor(notifier.channel, position, now, str(e)))
            return Delivery(delivered, position, str(e))
        position = pending[-1].seq or position
        delivered += len(pending)
        feeds.move_cursor(Cursor(notifier.channel, position, now))
