"""A provider's latest records and what became of each: counted, under objection, upheld,
overturned or withdrawn. Only what the ledger holds: a record refused at submission left no
trace but the answer its provider was given then."""

from __future__ import annotations

from dataclasses import dataclass

from credo.adapters.stores.portal import PortalQueries
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.due_process.objections import Objection, objections_from
from credo.domain.ledger.entries import Entry, withdrawal_in
from credo.domain.ledger.records import LedgerRecord


@dataclass(frozen=True, slots=True)
class Submission:
    ledger: LedgerRecord
    recorded_at: str
    objection: Objection | None
    withdrawal: Entry | None

    @property
    def outcome(self) -> str:
        if self.withdrawal is not None:
            return "withdrawn"
        if self.ledger.status.overturned:
            return "overturned"
        if self.objection is not None:
            return "disputed" if self.objection.outcome is None else self.objection.state
        return "recorded"


def recent_submissions(
    store: LedgerStore, portal: PortalQueries, source: str, *, limit: int
) -> list[Submission]:
    found = []
    for record_id in portal.recent_record_ids(source, limit=limit):
        lr = store.record(record_id)
        if lr is None:
            continue
        entries = store.entries_of(record_id)
        objections = objections_from(entries)
        at = store.recorded_at(record_id)
        found.append(
            Submission(
                lr,
                at.isoformat() if at else "",
                objections[-1] if objections else None,
                withdrawal_in(entries),
            )
        )
    return found
