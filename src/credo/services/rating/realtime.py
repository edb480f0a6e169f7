"""What follows at once from a change to subjects' ledgers: the notices it owes them, their
stored scores, and the changes of check decisions that consumers follow.

Every use case that appends to the ledger (records, objections, decisions, withdrawals) ends
here, so scores, tiers, list entries, check answers and the change feed reflect it as soon as
the use case answers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from credo.adapters.stores.feeds import DecisionChange, FeedStore, Judged
from credo.adapters.stores.protocol import LedgerStore, StoredScore
from credo.domain.due_process.notices import Notice, intake_notices, record_notices
from credo.domain.errors import NoPackGoverns, NotInForce, UnknownSubject
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.measures import check
from credo.domain.scoring.score import Assessment, assess
from credo.domain.scoring.verdicts import Verdict
from credo.services.rating.scores import store_assessment, to_store
from credo.services.rating.subject import subject_ledger

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
    foreseen: Mapping[str, Foreseen] | None = None,
    created: Collection[str] = (),
) -> None:
    """Bring each subject's derived state up to its ledger: its stored score, then the
    decision feed. (The notices a change owes went into the ledger with it.) Their ledgers are
    read together, their scores stored in one transaction and their decisions noted in
    another; a subject whose ledger grew in between is settled again on its own.

    A subject's ledger `foreseen` before an append that `created` all of its fresh records
    is the ledger now, unless another request added to it meanwhile, which the size its
    decisions are noted with finds out: it is not read again."""
    made = set(created)
    known = {
        sid: f for sid, f in (foreseen or {}).items() if sid in subject_ids and f.fresh <= made
    }
    ledgers = store.ledgers_of([sid for sid in subject_ids if sid not in known])
    scored: list[StoredScore] = []
    judged: list[Judged] = []
    for subject_id in sorted({*ledgers, *known}):
        if subject_id in known:
            f = known[subject_id]
            size, records, a = f.size, f.records, f.assessment
        else:
            size, records = ledgers[subject_id]
            try:
                a = assess(subject_id, rulebook, records, today)
            except (NoPackGoverns, NotInForce):
                continue  # nothing to derive before a rulebook governs the subject
        stored = to_store(rulebook, records, a, today=today, now=now, size=size)
        scored.append(stored)
        judged.append((_decisions(a, stored, today, now), size))
    store.put_scores(scored)
    for subject_id in sorted(feeds.note_decisions_of(judged)):
        _settle_one(store, feeds, rulebook, subject_id, today, now)


def _settle_one(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    subject_id: str,
    today: date,
    now: datetime,
) -> None:
    """One read of the ledger serves the score and the decisions. Another request may add to
    the same ledger meanwhile and store its score first; if the ledger grew while this one
    worked, it is read and judged again, so neither the score stored last nor the feed is ever
    older than the ledger as committed."""
    while True:
        size = store.ledger_size(subject_id)
        try:
            _, records = subject_ledger(store, subject_id, rulebook)
        except UnknownSubject:
            return  # nothing to settle for a subject with no records
        try:
            a = assess(subject_id, rulebook, records, today)
        except (NoPackGoverns, NotInForce):
            return  # nothing to derive before a rulebook governs the subject
        stored = store_assessment(store, rulebook, records, a, today=today, now=now, size=size)
        # Noted only if the ledger is still the one judged; the score stored before this
        # is then the newest too (a later change stores its own after committing).
        if feeds.note_decisions(_decisions(a, stored, today, now), ledger_size=size):
            return


def _decisions(
    a: Assessment, stored: StoredScore, today: date, now: datetime
) -> list[DecisionChange]:
    """The decision in every context of the subject's pack. The feed carries decisions only,
    not their reasons: no objection window is read."""
    return [
        DecisionChange(
            a.subject_id,
            context,
            check(a, context, windows=None).decision,
            today,
            stored.valid_until,
            now,
        )
        for context in sorted({m.context for m in a.version.pack.measures})
    ]


def intake_notices_for(
    rulebook: Rulebook,
    records: Sequence[Record],
    today: date,
    now: datetime,
    verdicts: Sequence[Verdict] | None = None,
) -> list[Entry]:
    """The notices owed for records taken in bulk, each judged on its own (see
    `intake_notices`; `verdicts`, the records' own, in order, when judged already): bulk
    intake reads no subject's ledger back."""
    judged = verdicts if verdicts is not None else [None] * len(records)
    return [
        notice_entry(n, now)
        for r, v in zip(records, judged, strict=True)
        for n in intake_notices(rulebook, r, today, v)
    ]


@dataclass(frozen=True, slots=True)
class Foreseen:
    """A subject's ledger as it will be once submitted records are appended with their
    notices, judged before the append: settling after it need not read and judge it again."""

    size: int  # records and entries, once appended
    records: list[LedgerRecord]
    fresh: frozenset[str]  # the ids of the records to be appended
    assessment: Assessment


def owed_notices(
    store: LedgerStore, rulebook: Rulebook, records: list[Record], today: date, now: datetime
) -> tuple[list[Entry], dict[str, Foreseen]]:
    """The notices records submitted over the API owe, judged on each subject's ledger as
    read now with them added (a request adding to it meanwhile is not seen: its own notices
    say what it changed), and each subject's ledger so foreseen. The append writes those of
    the records it creates in its own transaction, so no record is kept without its notice,
    and a replay, which creates nothing, owes none."""
    by_subject: dict[str, dict[str, Record]] = {}
    for record in records:
        by_subject.setdefault(record.subject.id, {}).setdefault(record.record_id, record)
    owed: list[Entry] = []
    foreseen: dict[str, Foreseen] = {}
    ledgers = store.ledgers_of(by_subject)
    for subject_id, mine in sorted(by_subject.items()):
        size, held = ledgers.get(subject_id, (0, []))
        for lr in held:
            mine.pop(lr.record.record_id, None)
        if not mine:
            continue
        # Appended in record id order, after what is held, as the stores append a batch.
        fresh = [LedgerRecord(mine[rid]) for rid in sorted(mine)]
        ledger = sorted([*held, *fresh], key=lambda lr: lr.record.occurred_at)
        try:
            after = assess(subject_id, rulebook, ledger, today)
            notices = record_notices(subject_id, rulebook, ledger, sorted(mine), today, after=after)
        except (NoPackGoverns, NotInForce):
            continue  # nothing is owed before a rulebook governs the subject
        owed.extend(notice_entry(n, now) for n in notices)
        grown = size + len(fresh) + len(notices)
        foreseen[subject_id] = Foreseen(grown, ledger, frozenset(mine), after)
    return owed, foreseen
