"""What follows at once from a change to subjects' ledgers: the notices it owes them, their
stored scores, and the changes of check decisions that consumers follow.

Every use case that appends to the ledger (records, objections, decisions, withdrawals) ends
here, so scores, tiers, list entries, check answers and the change feed reflect it as soon as
the use case answers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime

from credo.adapters.stores.feeds import DecisionChange, FeedStore
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.entries import Entry
from credo.domain.measures import check
from credo.domain.notices import Notice, intake_notices, record_notices
from credo.domain.records import Record
from credo.domain.rulebook import PackHistory, Rulebook
from credo.services.scores import store_assessment

SYSTEM = "credo"  # the actor of the entries credo writes itself, such as notices


def notice_entry(notice: Notice, at: datetime) -> Entry:
    return Entry(
        "notice", notice.record_id, SYSTEM, at, {"subject_id": notice.subject_id, **notice.data}
    )


def settle(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    subject_ids: Collection[str],
    *,
    today: date,
    now: datetime,
    new_records: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Bring each subject's derived state up to its ledger: first the notices its new records
    (`new_records`, by subject) owe it, then its stored score, then the decision feed."""
    for subject_id in sorted(subject_ids):
        records = store.records_of(subject_id)
        if not records:
            continue
        history = rulebook.governing(records[0].record.subject)
        if history.in_force(today) is None:
            continue
        new = (new_records or {}).get(subject_id, ())
        notices = record_notices(subject_id, history, records, list(new), today) if new else []
        if notices:
            store.append_entries([notice_entry(n, now) for n in notices])
        a, stored = store_assessment(store, history, records, today=today, now=now)
        last = feeds.last_decisions(subject_id)
        changes = []
        for context in sorted({m.context for m in a.version.pack.measures}):
            decision = check(a, context).decision
            if decision != last.get(context, "allow"):
                changes.append(
                    DecisionChange(subject_id, context, decision, today, stored.valid_until, now)
                )
        feeds.append_changes(changes)


def intake_notices_for(
    rulebook: Rulebook, records: Sequence[Record], today: date, now: datetime
) -> list[Entry]:
    """The notices owed for records taken in bulk, each judged on its own (see
    `intake_notices`): bulk intake reads no subject's ledger back."""
    governing: dict[tuple[str, str], PackHistory] = {}
    out: list[Entry] = []
    for r in records:
        key = (r.subject.kind, r.subject.region)
        history = governing.get(key)
        if history is None:
            history = governing[key] = rulebook.governing(r.subject)
        out.extend(notice_entry(n, now) for n in intake_notices(history, r, today))
    return out
