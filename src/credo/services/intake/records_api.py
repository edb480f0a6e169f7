"""Records submitted by a provider over the API: validated as `credo ingest` validates them,
judged one by one, appended together with the notices they owe in one transaction; then every
touched subject's score and decisions are refreshed at once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from credo.adapters.stores.feeds import FeedStore
from credo.adapters.stores.protocol import LedgerStore, Outcome
from credo.domain.errors import InvalidRecord
from credo.domain.intake import EVIDENCE_SCHEMES, parse_record
from credo.domain.records import Record
from credo.domain.rulebook import Rulebook
from credo.services.access.keys import Caller
from credo.services.intake.subjects import conflict, consistent_subjects
from credo.services.rating.realtime import owed_notices, settle

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
    accepted, refused = consistent_subjects(store, parsed)
    for i, record, reason in refused:
        results[i] = ItemResult(i, "rejected", record.record_id, reason)
    if accepted:
        owed = owed_notices(store, rulebook, [r for _, r in accepted], today, now)
        outcomes = store.append_records([r for _, r in accepted], recorded_at=now, notices=owed)
        created: set[str] = set()
        for (i, record), outcome in zip(accepted, outcomes, strict=True):
            results[i] = _result(i, record, outcome)
            if outcome is Outcome.CREATED:
                created.add(record.subject.id)
        # The append wrote the records, their notices and forgot these subjects' stored
        # scores in one transaction; the scores and the decision feed follow now, and a crash
        # before they do leaves nothing a later read does not recompute.
        settle(store, feeds, rulebook, created, today=today, now=now)
    return [results[i] for i in range(len(items))]


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
