"""The verdicts every store keeps beside its records (`VerdictStore`): written with the records,
their statuses changed with the entries, judged again where an adoption changes them, and the
rulebook they are by known only while it is known."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from credo.adapters.stores.protocol import Judged, LedgerStore
from credo.domain.ledger.records import Record
from credo.domain.ledger.subjects import Subject
from credo.domain.scoring.verdicts import Judge, rulebook_key, verdict_row
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.verdicts import judged_records, rejudge
from tests.contract.samples import EVIDENCE, NOW, entry

TESTS = Path(__file__).parents[1]
PROVINCE = TESTS / "golden" / "packs" / "province-v1.yaml"
COUNTY = TESTS / "golden" / "packs" / "county-v1.yaml"
COUNTY_V2 = TESTS / "fixtures" / "county-v2.yaml"


def traffic(ref: str, region: str, on: date, who: str = "p-1") -> Record:
    return Record(
        Subject(who, "person", region),
        "traffic.violation",
        on,
        "traffic-police",
        ref,
        {},
        EVIDENCE,
    )


def judgment(ref: str, region: str, on: date, case: str, satisfied: bool = False) -> Record:
    kind = "court.judgment_satisfied" if satisfied else "court.judgment_default"
    return Record(Subject("p-1", "person", region), kind, on, "court", ref, {}, EVIDENCE, case)


def kept(store: LedgerStore) -> list[tuple[object, ...]]:
    return sorted(tuple(r.values()) for r in store.verdict_table().to_pylist())


def judged_again(store: LedgerStore) -> list[tuple[object, ...]]:
    judge = Judge(current_rulebook(store))
    rows = [verdict_row(judge.verdict(lr)) for b in store.iter_records() for lr in b]
    return sorted(rows)


def test_verdicts_are_kept_with_their_records_and_statuses(store: LedgerStore) -> None:
    adopt_pack_file(store, PROVINCE, now=NOW, actor="test")
    rulebook = current_rulebook(store)
    batch = [
        traffic("T-1", "XP-A", date(2024, 3, 1)),
        judgment("J-1", "XP-A", date(2024, 4, 1), "K-1"),
        judgment("J-2", "XP-A", date(2024, 9, 1), "K-1", satisfied=True),
    ]
    store.append_records(batch, recorded_at=NOW, judged=judged_records(rulebook, batch))
    assert store.verdicts_key() == rulebook_key(rulebook)
    assert kept(store) == judged_again(store)
    rows = {r["record_id"]: r for r in store.verdict_table().to_pylist()}
    assert rows[batch[0].record_id]["points"] == -10
    assert (
        '"admits":[["defaulters",365,"province@1/defaulters"]]' in rows[batch[1].record_id]["lists"]
    )
    assert '"repairs":["province@1/defaulters"]' in rows[batch[2].record_id]["lists"]

    store.append_entry(entry("objection", batch[0], 1, objection_id="o-1"))
    store.append_entry(entry("withdrawal", batch[1], 2))
    assert kept(store) == judged_again(store)
    rows = {r["record_id"]: r for r in store.verdict_table().to_pylist()}
    assert rows[batch[0].record_id]["disputed"] is True
    assert rows[batch[1].record_id]["withdrawn"] is True
    store.append_entry(entry("decision", batch[0], 3, objection_id="o-1", outcome="overturned"))
    rows = {r["record_id"]: r for r in store.verdict_table().to_pylist()}
    assert (rows[batch[0].record_id]["disputed"], rows[batch[0].record_id]["overturned"]) == (
        False,
        True,
    )
    assert kept(store) == judged_again(store)
    assert store.verdicts_key() == rulebook_key(rulebook)


def test_an_adoption_judges_again_what_it_changes(store: LedgerStore) -> None:
    adopt_pack_file(store, PROVINCE, now=NOW, actor="test")
    batch = [traffic(f"T-{i}", "XP-CT-1", date(2024, 8, 1) + timedelta(days=i)) for i in range(3)]
    batch.append(traffic("T-A", "XP-A", date(2024, 8, 1), who="p-2"))
    store.append_records(
        batch, recorded_at=NOW, judged=judged_records(current_rulebook(store), batch)
    )
    adopt_pack_file(store, COUNTY, now=NOW, actor="test")
    adopt_pack_file(store, COUNTY_V2, now=NOW, actor="test")
    rulebook = current_rulebook(store)
    assert store.verdicts_key() == rulebook_key(rulebook)
    assert kept(store) == judged_again(store)
    rows = {r["record_id"]: r for r in store.verdict_table().to_pylist()}
    county = rows[batch[0].record_id]
    # Judged by the county from its first day, and milder under its second version.
    assert (county["pack"], county["points"], county["later"]) == ("county", -5, "[[1,-3]]")
    assert rows[batch[3].record_id]["pack"] == "province"


def test_the_rulebook_of_the_verdicts_is_known_only_while_it_is(store: LedgerStore) -> None:
    adopt_pack_file(store, PROVINCE, now=NOW, actor="test")
    rulebook = current_rulebook(store)
    key = rulebook_key(rulebook)
    first = [traffic("T-1", "XP-A", date(2024, 3, 1))]
    store.append_records(first, recorded_at=NOW, judged=judged_records(rulebook, first))
    assert store.verdicts_key() == key
    # A record taken without its verdict, or judged by another rulebook: not known any more.
    store.append_records([traffic("T-2", "XP-A", date(2024, 3, 2))], recorded_at=NOW)
    assert store.verdicts_key() is None
    assert rejudge(store, rulebook)
    assert store.verdicts_key() == key
    other = [traffic("T-3", "XP-A", date(2024, 3, 3))]
    judged = judged_records(rulebook, other)
    store.append_records(other, recorded_at=NOW, judged=Judged("another", judged.verdicts))
    assert store.verdicts_key() is None
    # A judging that did not see every record (one was appended meanwhile) leaves it unknown.
    assert not store.put_verdicts(Judged(key, []), records=2, after=None, whole=True)
    assert store.verdicts_key() is None
    assert rejudge(store, rulebook)
    assert store.verdicts_key() == key
    assert kept(store) == judged_again(store)


def test_many_verdicts_and_scores_go_in_alike(store: LedgerStore) -> None:
    """Past a few rows a database writes verdicts and a recompute's scores its faster way
    (PostgreSQL: COPY); they read back the same."""
    from datetime import UTC, datetime

    from credo.adapters.engines.fold_engine import FoldEngine
    from credo.services.rating.recompute import recompute

    adopt_pack_file(store, PROVINCE, now=NOW, actor="test")
    rulebook = current_rulebook(store)
    batch = [
        traffic(f"T-{i}", "XP-A", date(2025, 1, 1) + timedelta(days=i), who=f"p-{i % 40}")
        for i in range(200)
    ]
    store.append_records(batch, recorded_at=NOW, judged=judged_records(rulebook, batch))
    assert kept(store) == judged_again(store)
    at = datetime(2026, 6, 1, tzinfo=UTC)
    report = recompute(store, FoldEngine(threads=1), rulebook, as_of=date(2026, 6, 1), now=at)
    assert report.written == 40
    stored = store.stored_score("p-1")
    assert stored is not None
    assert stored.run_id == report.run_id
    assert stored.score == 100 - 10 * sum(
        1 for r in batch if r.subject.id == "p-1" and r.occurred_at > date(2025, 6, 1)
    )


def test_a_record_sent_twice_in_a_batch_keeps_the_first_verdict(store: LedgerStore) -> None:
    adopt_pack_file(store, PROVINCE, now=NOW, actor="test")
    rulebook = current_rulebook(store)
    first = traffic("T-1", "XP-A", date(2024, 3, 1))
    again = judgment("T-1", "XP-A", date(2024, 3, 1), "K-1")  # the same key, other content
    again = Record(
        first.subject, again.type, again.occurred_at, first.source, "T-1", {}, EVIDENCE, "K-1"
    )
    batch = [first, again]
    store.append_records(batch, recorded_at=NOW, judged=judged_records(rulebook, batch))
    assert kept(store) == judged_again(store)
    assert store.verdicts_key() == rulebook_key(rulebook)
