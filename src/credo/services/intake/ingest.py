"""Bulk ingest: every valid record appended once, every bad one reported by line, none lost."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import orjson

from credo.adapters.readers import Malformed, is_text_format, read_records
from credo.adapters.stores.protocol import Judged, LedgerStore, Outcome
from credo.domain.errors import InvalidRecord
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.intake import EVIDENCE_SCHEMES, parse_record
from credo.domain.ledger.records import Record
from credo.domain.ledger.subjects import Subject
from credo.domain.rules.rulebook import Rulebook
from credo.services.heap import collect_young, without_cycle_collection
from credo.services.intake.subjects import conflict, consistent_subjects
from credo.services.rating.realtime import intake_notices_for
from credo.services.rating.verdicts import judged_records


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str


@dataclass
class IngestReport:
    read: int = 0
    created: int = 0
    present: int = 0
    noticed: int = 0  # notices issued to subjects for the records created
    rejected: list[Rejected] = field(default_factory=list)
    seconds: float = 0.0
    rejects_file: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.rejected

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def rejects_path(path: Path) -> Path:
    return path.with_name(path.name.split(".")[0] + ".rejects.jsonl")


def ingest_file(
    store: LedgerStore,
    rulebook: Rulebook,
    path: Path,
    *,
    today: date,
    now: datetime,
    batch_size: int = 20_000,
    on_bytes: Callable[[int], None] | None = None,
    schemes: Collection[str] = EVIDENCE_SCHEMES,
) -> IngestReport:
    """Ingest one file and write its rejects next to it (removing a stale rejects file)."""
    items = read_records(path, on_bytes)
    report = ingest_items(
        store,
        rulebook,
        items,
        today=today,
        now=now,
        text=is_text_format(path),
        batch_size=batch_size,
        schemes=schemes,
    )
    out = rejects_path(path)
    if report.rejected:
        with out.open("wb") as f:
            for r in report.rejected:
                f.write(orjson.dumps({"line": r.line, "reason": r.reason}) + b"\n")
        report.rejects_file = out
    elif out.exists():
        out.unlink()
    return report


def ingest_items(
    store: LedgerStore,
    rulebook: Rulebook,
    items: Iterable[tuple[int, object]],
    *,
    today: date,
    now: datetime,
    text: bool = False,
    batch_size: int = 20_000,
    schemes: Collection[str] = EVIDENCE_SCHEMES,
) -> IngestReport:
    """Validate batch k+1 while the store appends batch k: the database works on one core while
    Python validates on the other. Batches are appended in order, one at a time."""
    report = IngestReport()
    started = time.perf_counter()
    seen: dict[str, Subject] = {}  # subjects of batches still being appended
    with (
        without_cycle_collection(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="credo-append") as appender,
    ):
        pending: Future[None] | None = None
        for batch in _batches(items, batch_size):
            # A batch's records, verdicts and notices make no cycles; the collector walking
            # every batch's objects cost a fifth of ingest.
            collect_young()
            accepted = _validate(
                store, rulebook, batch, report, seen, today=today, text=text, schemes=schemes
            )
            # Judged here, beside validation, while the store appends the previous batch: the
            # notices owed and each record's verdict, which the store writes for the records
            # it creates in the batch's own transaction (a replay owes no new notice).
            taken = [r for _, r in accepted]
            judged = judged_records(rulebook, taken)
            owed = intake_notices_for(rulebook, taken, today, now, judged.verdicts)
            if pending is not None:
                pending.result()
            pending = (
                appender.submit(_append, store, accepted, owed, judged, report, now)
                if accepted
                else None
            )
        if pending is not None:
            pending.result()
    report.rejected.sort(key=lambda r: r.line)
    report.seconds = time.perf_counter() - started
    return report


def _batches(items: Iterable[tuple[int, object]], size: int) -> Iterator[list[tuple[int, object]]]:
    batch: list[tuple[int, object]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _validate(
    store: LedgerStore,
    rulebook: Rulebook,
    batch: list[tuple[int, object]],
    report: IngestReport,
    seen: dict[str, Subject],
    *,
    today: date,
    text: bool,
    schemes: Collection[str],
) -> list[tuple[int, Record]]:
    parsed: list[tuple[int, Record]] = []
    for line, raw in batch:
        report.read += 1
        if isinstance(raw, Malformed):
            report.rejected.append(Rejected(line, raw.reason))
            continue
        try:
            parsed.append((line, parse_record(raw, rulebook, today, text=text, schemes=schemes)))
        except InvalidRecord as e:
            report.rejected.append(Rejected(line, e.detail))
    # A subject keeps its kind, as in the store or in an earlier batch still on its way there.
    accepted, refused = consistent_subjects(store, parsed, seen)
    report.rejected.extend(Rejected(line, reason) for line, _, reason in refused)
    return accepted


def _append(
    store: LedgerStore,
    accepted: list[tuple[int, Record]],
    owed: list[Entry],
    judged: Judged,
    report: IngestReport,
    now: datetime,
) -> None:
    outcomes = store.append_records(
        [r for _, r in accepted], recorded_at=now, notices=owed, judged=judged
    )
    created: set[str] = set()
    for (line, record), outcome in zip(accepted, outcomes, strict=True):
        if outcome is Outcome.CREATED:
            report.created += 1
            created.add(record.record_id)
        elif outcome is Outcome.PRESENT:
            report.present += 1
        else:
            report.rejected.append(Rejected(line, f"conflict: {conflict(record)}"))
    report.noticed += sum(1 for e in owed if e.record_id in created)
