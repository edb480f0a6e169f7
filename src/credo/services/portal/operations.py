"""What an operator's page shows beside the keys: the notice outbox and each channel's
position in it, and the ledger's figures (records, withdrawals, objections by state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credo.adapters.stores.feeds import Cursor
from credo.adapters.stores.portal import PortalQueries
from credo.adapters.stores.protocol import LedgerStore
from credo.services.due_process.objections import objection_queue


@dataclass(frozen=True, slots=True)
class Channel:
    cursor: Cursor
    pending: int  # notices after its position


@dataclass(frozen=True, slots=True)
class Figures:
    counts: dict[str, int]  # ledger entries by kind, and `record`
    open_objections: int
    overdue_objections: int
    channels: tuple[Channel, ...]
    notices: int


def figures(store: LedgerStore, portal: PortalQueries, *, today: date) -> Figures:
    counts = portal.entry_counts()
    queue = objection_queue(store, state="open", today=today)
    channels = tuple(Channel(c, portal.notices_after(c.delivered_seq)) for c in portal.cursors())
    return Figures(
        counts,
        len(queue),
        sum(o.overdue(today) for o in queue),
        channels,
        counts.get("notice", 0),
    )
