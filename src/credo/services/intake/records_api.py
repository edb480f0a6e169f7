"""Records submitted by a provider over the API: validated as `credo ingest` validates them,
judged one by one, appended together with the notices they owe in one transaction; then every
touched subject's score and decisions are refreshed at once.

Requests that arrive together are appended together (`GroupCommit`): one transaction, one
commit to disk, one settling of their subjects for all of them, each answered once that is
done. Their records are judged in the order the requests joined the group, as if they had been
sent one after the other in one request."""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from credo.adapters.stores.feeds import FeedStore
from credo.adapters.stores.protocol import LedgerStore, Outcome
from credo.domain.errors import InvalidRecord
from credo.domain.ledger.intake import EVIDENCE_SCHEMES, parse_record
from credo.domain.ledger.records import Record
from credo.domain.rules.rulebook import Rulebook
from credo.services.access.keys import Caller
from credo.services.intake.subjects import conflict, consistent_subjects
from credo.services.rating.realtime import owed_notices, settle
from credo.services.rating.verdicts import judged_records

Key = tuple[int, int]
"""Where a record came from: its request's place in the group, and its index in the request."""

ItemStatus = Literal["created", "already present", "conflict", "rejected"]


@dataclass(frozen=True, slots=True)
class ItemResult:
    index: int
    status: ItemStatus
    record_id: str | None = None
    reason: str | None = None


def submit_records(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    provider: Caller,
    items: Sequence[Mapping[str, object]],
    *,
    today: date,
    now: datetime,
    schemes: Collection[str] = EVIDENCE_SCHEMES,
) -> list[ItemResult]:
    """One result per item, in order. A provider submits only its own records (`source` is its
    id, and taken to be when left out) of the types its key is registered for; evidence URIs
    have one of `schemes`."""
    results, parsed = _parsed(provider, items, rulebook, today, schemes)
    appended = _append(store, feeds, rulebook, [((0, i), r) for i, r in parsed], today, now)
    results.update((i, result) for (_, i), result in appended.items())
    return [results[i] for i in range(len(items))]


class GroupCommit:
    """`submit_records` for requests served at the same time, which share the transaction
    that appends their records, its commit to disk, and the settling of their subjects.

    A request validates its own items in its own thread, then joins the group waiting to be
    appended. If no append is running, it leads: it appends what has gathered (its own
    records and those of every request that joined meanwhile), answers each, and hands the
    lead to the first request that joined while it worked. None is answered before the
    transaction holding its records has committed."""

    def __init__(self, store: LedgerStore, feeds: FeedStore) -> None:
        self.store, self.feeds = store, feeds
        self._lock = threading.Lock()
        self._gathered: list[_Waiting] = []
        self._leading = False

    def submit(
        self,
        rulebook: Rulebook,
        provider: Caller,
        items: Sequence[Mapping[str, object]],
        *,
        today: date,
        now: datetime,
        schemes: Collection[str] = EVIDENCE_SCHEMES,
    ) -> list[ItemResult]:
        results, parsed = _parsed(provider, items, rulebook, today, schemes)
        if parsed:
            mine = _Waiting(rulebook, parsed, today, now)
            with self._lock:
                self._gathered.append(mine)
                lead = not self._leading
                self._leading = True
            if not lead:
                mine.done.wait()
            if lead or mine.leads:
                self._lead()
            if mine.error is not None:
                # Each request raises an exception of its own: one object raised in several
                # threads at once would have its traceback written by all of them.
                raise mine.error if lead else copy.copy(mine.error)
            results.update(mine.results)
        return [results[i] for i in range(len(items))]

    def _lead(self) -> None:
        with self._lock:
            group, self._gathered = self._gathered, []
        try:
            # One append per rulebook and day: a pack adopted meanwhile, or midnight, starts
            # another. Usually there is one.
            for part in _parts(group):
                self._append(part)
        finally:
            with self._lock:
                if self._gathered:
                    self._gathered[0].leads = True
                    self._gathered[0].done.set()
                else:
                    self._leading = False
            for waiting in group:
                waiting.done.set()

    def _append(self, part: list[_Waiting]) -> None:
        first = part[0]
        keyed = [((n, i), r) for n, w in enumerate(part) for i, r in w.parsed]
        try:
            appended = _append(
                self.store,
                self.feeds,
                first.rulebook,
                keyed,
                first.today,
                max(w.now for w in part),
            )
        except Exception as e:
            for w in part:
                w.error = e
            return
        for (n, i), result in appended.items():
            part[n].results[i] = result


class _Waiting:
    """A request's valid records, waiting in the group, and what became of them."""

    def __init__(
        self, rulebook: Rulebook, parsed: list[tuple[int, Record]], today: date, now: datetime
    ) -> None:
        self.rulebook, self.parsed, self.today, self.now = rulebook, parsed, today, now
        self.done = threading.Event()
        self.leads = False
        self.results: dict[int, ItemResult] = {}
        self.error: Exception | None = None


def _parts(group: list[_Waiting]) -> list[list[_Waiting]]:
    parts: dict[tuple[int, date], list[_Waiting]] = {}
    for w in group:
        parts.setdefault((id(w.rulebook), w.today), []).append(w)
    return list(parts.values())


def _parsed(
    provider: Caller,
    items: Sequence[Mapping[str, object]],
    rulebook: Rulebook,
    today: date,
    schemes: Collection[str],
) -> tuple[dict[int, ItemResult], list[tuple[int, Record]]]:
    """The items refused outright, and the valid records with their index."""
    results: dict[int, ItemResult] = {}
    parsed: list[tuple[int, Record]] = []
    for i, item in enumerate(items):
        raw = {"source": provider.principal, **item}
        refusal = _refusal(provider, raw)
        if refusal is not None:
            results[i] = ItemResult(i, "rejected", reason=refusal)
            continue
        try:
            parsed.append((i, parse_record(raw, rulebook, today, schemes=schemes)))
        except InvalidRecord as e:
            results[i] = ItemResult(i, "rejected", reason=e.detail)
    return results, parsed


def _append(
    store: LedgerStore,
    feeds: FeedStore,
    rulebook: Rulebook,
    parsed: Sequence[tuple[Key, Record]],
    today: date,
    now: datetime,
) -> dict[Key, ItemResult]:
    """Append valid records in order, with the notices they owe, in one transaction; then
    settle their subjects. The result of each, by its key."""
    results: dict[Key, ItemResult] = {}
    accepted, refused = consistent_subjects(store, parsed)
    for key, record, reason in refused:
        results[key] = ItemResult(key[1], "rejected", record.record_id, reason)
    if accepted:
        owed, foreseen = owed_notices(store, rulebook, [r for _, r in accepted], today, now)
        taken = [r for _, r in accepted]
        outcomes = store.append_records(
            taken, recorded_at=now, notices=owed, judged=judged_records(rulebook, taken)
        )
        touched: set[str] = set()
        created: set[str] = set()
        for (key, record), outcome in zip(accepted, outcomes, strict=True):
            results[key] = _result(key[1], record, outcome)
            if outcome is Outcome.CREATED:
                touched.add(record.subject.id)
                created.add(record.record_id)
        # The append wrote the records, their notices and forgot these subjects' stored
        # scores in one transaction; the scores and the decision feed follow now, and a crash
        # before they do leaves nothing a later read does not recompute.
        settle(
            store,
            feeds,
            rulebook,
            touched,
            today=today,
            now=now,
            foreseen=foreseen,
            created=created,
        )
    return results


def _refusal(provider: Caller, raw: Mapping[str, object]) -> str | None:
    if raw["source"] != provider.principal:
        return (
            f"source: a provider submits only its own records; this key's source is "
            f"{provider.principal!r}"
        )
    record_type = raw.get("type")
    if isinstance(record_type, str) and record_type not in provider.scopes:
        registered = ", ".join(sorted(provider.scopes))
        return f"type: this key is not registered for {record_type!r} (registered: {registered})"
    return None


def _result(i: int, record: Record, outcome: Outcome) -> ItemResult:
    if outcome is Outcome.CREATED:
        return ItemResult(i, "created", record.record_id)
    if outcome is Outcome.PRESENT:
        return ItemResult(i, "already present", record.record_id)
    return ItemResult(i, "conflict", record.record_id, conflict(record))
