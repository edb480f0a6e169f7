"""A check answered from the materialised score decides exactly as one that scores the ledger
now: over every golden case on every day the stored score holds, and over a generated ledger
with withdrawals and objections kept in SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from credo.adapters.stores.memory import MemoryLedgerStore
from credo.adapters.writers import write_ledger
from credo.bootstrap import Context
from credo.domain.errors import NoPackGoverns, NotInForce
from credo.domain.ledger.entries import Entry
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.measures import check, decide
from credo.domain.scoring.score import assess
from credo.services.access.keys import Caller, Role
from credo.services.due_process.objections import objection_windows
from credo.services.intake.ingest import ingest_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.checks import run_check, stored_standing
from credo.services.rating.realtime import settle
from credo.services.rating.scores import store_assessment
from credo.services.rating.subject import subject_ledger
from credo.services.synth.population import SynthSpec, synthesize_chunks
from tests.api.conftest import NOW, TODAY, MakeApi
from tests.golden.cases import case_files, load_case

HORIZON = 800  # days after the score is stored that are compared, at most


def _days(start: date, valid_until: date | None) -> list[date]:
    """Every day from `start` while the score holds (up to the horizon), and the first day
    it no longer does."""
    end = valid_until or start + timedelta(days=HORIZON)
    end = min(end, start + timedelta(days=HORIZON))
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _contexts(rulebook: Rulebook) -> list[str]:
    return sorted({m.context for v in rulebook.all_versions() for m in v.pack.measures})


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_a_stored_score_decides_as_the_ledger_on_every_day_it_holds(path: Path) -> None:
    case = load_case(path)
    rulebook = case.rulebook()
    contexts = _contexts(rulebook) or ["none"]
    store = MemoryLedgerStore()
    for subject_id, records in case.ledger().items():
        try:
            a = assess(subject_id, rulebook, records, case.as_of)
        except (NoPackGoverns, NotInForce):
            continue
        stored = store_assessment(store, rulebook, records, a, today=case.as_of, now=NOW)
        for day in _days(case.as_of, stored.valid_until):
            standing = stored_standing(store, rulebook, subject_id, day)
            if not stored.holds_on(day):
                assert standing is None
            if standing is None:
                continue
            online = assess(subject_id, rulebook, records, day)
            for context in contexts:
                stored_decision = decide(standing, context, windows=None)
                assert stored_decision == check(online, context, windows=None), (subject_id, day)


def test_a_stored_score_is_not_trusted_once_the_rulebook_is_revised() -> None:
    """A record may be judged by another pack than its subject's, so adopting any version
    after a score was stored makes the ledger answer until the score is judged again."""
    [path] = [p for p in case_files() if p.stem == "jurisdiction"]
    case = load_case(path)
    store = MemoryLedgerStore()
    for subject_id, records in case.ledger().items():
        a = assess(subject_id, case.rulebook(), records, case.as_of)
        store_assessment(store, case.rulebook(), records, a, today=case.as_of, now=NOW)
    subject_ids = list(case.ledger())
    as_adopted = Rulebook(case.rulebook().all_versions(), revised_at=NOW - timedelta(days=1))
    revised = Rulebook(case.rulebook().all_versions(), revised_at=NOW + timedelta(seconds=1))
    for subject_id in subject_ids:
        assert stored_standing(store, as_adopted, subject_id, case.as_of) is not None
        assert stored_standing(store, revised, subject_id, case.as_of) is None


def _generated_ledger(ctx: Context, tmp: Path) -> list[str]:
    store = ctx.store
    """A synthetic ledger of the shipped packs with its withdrawals, objections and decisions;
    every subject's score stored. Returns the subject ids."""
    rulebook = current_rulebook(store)
    chunks = list(synthesize_chunks(rulebook, SynthSpec(150, 1_500, seed=11, today=TODAY)))
    records = pa.concat_tables(c.records for c in chunks)
    path = tmp / "ledger.jsonl"
    write_ledger(records, path)
    report = ingest_file(store, rulebook, path, today=TODAY, now=NOW)
    assert report.ok, report.rejected[:3]
    entries = [
        Entry(
            row["kind"],
            row["record_id"],
            "synth",
            row["at"],
            {k: row[k] for k in ("objection_id", "outcome") if row[k] is not None},
        )
        for c in chunks
        for row in c.entries.to_pylist()
    ]
    assert entries, "the generated ledger should hold entries"
    store.append_entries(entries)
    subject_ids = sorted({str(s["id"]) for s in records.column("subject").to_pylist()})
    settle(store, ctx.feeds, current_rulebook(store), subject_ids, today=TODAY, now=NOW)
    return subject_ids


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_checks_over_a_generated_ledger_answer_as_the_ledger(
    make_api: MakeApi, backend: str, tmp_path: Path
) -> None:
    ctx = make_api(backend).ctx
    subject_ids = _generated_ledger(ctx, tmp_path)
    rulebook = current_rulebook(ctx.store)
    contexts = _contexts(rulebook)
    consumer = Caller("k-test", Role.CONSUMER, "railway", frozenset(contexts), None)
    windows = objection_windows(ctx.store, rulebook)
    answered = 0
    seen: set[str] = set()
    for subject_id in subject_ids:
        _, records = subject_ledger(ctx.store, subject_id)
        assert stored_standing(ctx.store, rulebook, subject_id, TODAY) is not None
        online = assess(subject_id, rulebook, records, TODAY)
        for context in contexts:
            got = run_check(
                ctx.store,
                ctx.access,
                consumer,
                rulebook=rulebook,
                subject_id=subject_id,
                context=context,
                today=TODAY,
                now=datetime.now(UTC),
            )
            assert got == check(online, context, windows=windows), (subject_id, context)
            answered += 1
            seen.add(got.decision)
            seen.update(k for r in got.reasons for k in r.trigger if k in ("list", "tier"))
    assert seen == {"allow", "deny", "list", "tier"}, "the ledger should exercise every kind"
    assert sum(len(ctx.access.checks_about(s, limit=100)) for s in subject_ids) == answered
