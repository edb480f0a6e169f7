"""The judged ledger a store keeps, over random lives of a ledger: records taken in bulk and
over the API's path, withdrawn, objected to and decided, and packs adopted in between (a more
specific pack within the first, a later version). At the end the store's verdicts must be what
judging the whole ledger again gives (`credo recompute --rejudge`), by the rulebook in force,
and their fold must be what the online path says on any date."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.adapters.engines.fold_engine import FoldEngine
from credo.adapters.engines.verdict_ledger import verdict_table
from credo.adapters.stores.memory import MemoryLedgerStore
from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.domain.errors import CredoError
from credo.domain.ledger.entries import Entry
from credo.domain.scoring.verdicts import Judge, rulebook_key, verdict_row
from credo.services.intake.ingest import ingest_items
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating import verdicts
from credo.services.rating.recompute import recompute
from tests.engines import views

GOLDEN = Path(__file__).parents[1] / "golden" / "packs"
TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
REGIONS = ["XP-A", "XP-CT-1", "XP-CT-2"]
TYPES = ["traffic.violation", "court.judgment_default", "court.judgment_satisfied"]
# A county pack within the province, adopted later, and its milder second version.
EXTRA_PACKS = [GOLDEN / "county-v1.yaml", Path(__file__).parents[1] / "fixtures" / "county-v2.yaml"]

record_items = st.lists(
    st.tuples(
        st.integers(0, 3),  # subject
        st.sampled_from(REGIONS),
        st.sampled_from(TYPES),
        st.integers(0, 900),  # days after 2024-01-01
        st.sampled_from([None, "K-1", "K-2"]),
    ),
    min_size=1,
    max_size=6,
)
acts = st.one_of(
    st.tuples(st.just("records"), record_items),
    st.tuples(st.just("withdraw"), st.integers(0, 50)),
    st.tuples(st.just("object"), st.integers(0, 50)),
    st.tuples(st.just("decide"), st.integers(0, 50), st.sampled_from(["upheld", "overturned"])),
    st.tuples(st.just("adopt")),  # the next of EXTRA_PACKS
)


@contextmanager
def fresh_store(kind: str) -> Iterator[LedgerStore]:
    if kind == "memory":
        yield MemoryLedgerStore()
        return
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteLedgerStore(f"sqlite:///{folder}/credo.db")
        store.migrate()
        try:
            yield store
        finally:
            store.close()


def raw(n: int, item: tuple[int, str, str, int, str | None]) -> dict[str, Any]:
    who, region, record_type, day, case_ref = item
    if record_type.startswith("court."):
        case_ref = case_ref or "K-0"
    out: dict[str, Any] = {
        "subject": {"id": f"p-{who}", "kind": "person", "region": region},
        "type": record_type,
        "occurred_at": (date(2024, 1, 1) + timedelta(days=day)).isoformat(),
        "source": "court" if record_type.startswith("court.") else "traffic-police",
        "source_ref": f"R-{n}",
        "attributes": {},
        "evidence": {"uri": f"https://evidence.example/{n}", "sha256": "ab" * 32},
    }
    if case_ref:
        out["case_ref"] = case_ref
    return out


def live(store: LedgerStore, life: list[tuple[Any, ...]]) -> None:
    adopt_pack_file(store, GOLDEN / "province-v1.yaml", now=NOW, actor="test")
    taken: list[str] = []
    objections: dict[str, str] = {}  # open, by record
    to_adopt = list(EXTRA_PACKS)
    for step, act in enumerate(life):
        rulebook = current_rulebook(store)
        at = NOW + timedelta(minutes=step)
        if act[0] == "records":
            items = [(i, raw(len(taken) + i, it)) for i, it in enumerate(act[1])]
            ingest_items(store, rulebook, items, today=TODAY, now=at)
            taken = [lr.record.record_id for b in store.iter_records() for lr in b]
            continue
        if act[0] == "adopt":
            if to_adopt:
                # Refused (as harsher): the ledger is as it was.
                with suppress(CredoError):
                    adopt_pack_file(store, to_adopt.pop(0), now=at, actor="test")
            continue
        if not taken:
            continue
        rid = taken[act[1] % len(taken)]
        if act[0] == "decide":
            if not objections:
                continue
            rid = sorted(objections)[act[1] % len(objections)]
        if act[0] == "withdraw":
            entry = Entry("withdrawal", rid, "court", at)
        elif act[0] == "object":
            objections[rid] = f"{rid}-{step}"
            entry = Entry("objection", rid, "p", at, {"objection_id": objections[rid]})
        else:
            data = {"objection_id": objections.pop(rid), "outcome": act[2]}
            entry = Entry("decision", rid, "reviewer", at, data)
        with suppress(CredoError):  # a step the ledger refuses (after a withdrawal, say)
            store.append_entry(entry)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(life=st.lists(acts, min_size=1, max_size=12), as_of=st.dates(date(2024, 1, 1), TODAY))
def test_the_kept_verdicts_are_the_ledger_judged_again(
    kind: str, life: list[tuple[Any, ...]], as_of: date
) -> None:
    with fresh_store(kind) as store:
        live(store, life)
        rulebook = current_rulebook(store)
        assert store.verdicts_key() == rulebook_key(rulebook)
        kept = sorted(store.verdict_table().to_pylist(), key=lambda r: r["record_id"])
        judge = Judge(rulebook)
        everything = [lr for batch in store.iter_records() for lr in batch]
        again = verdict_table(verdict_row(judge.verdict(lr)) for lr in everything)
        assert kept == sorted(again.to_pylist(), key=lambda r: r["record_id"])
        # And what the store's rejudge keeps is the same again.
        assert verdicts.rejudge(store, rulebook)
        assert sorted(store.verdict_table().to_pylist(), key=lambda r: r["record_id"]) == kept
        if not everything:
            return
        report = recompute(store, FoldEngine(threads=1), rulebook, as_of=as_of, now=NOW)
        ledgers: dict[str, list[Any]] = {}
        for lr in everything:
            ledgers.setdefault(lr.record.subject.id, []).append(lr)
        expected = views.online(rulebook, ledgers, as_of)
        result = report.result
        scores = {r["subject_id"]: (r["score"], r["tier"]) for r in result.scores.to_pylist()}
        assert scores == expected["scores"]
        listed = {
            (r["subject_id"], r["list_id"], r["record_id"], r["since"], r["until"])
            for r in result.entries.to_pylist()
        }
        assert listed == expected["entries"]
