"""`credo recompute --changed`: only the scores that no longer hold are written, each by the
run that wrote it, and the stored scores are then those a whole recompute gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from credo.adapters.engines.fold_engine import FoldEngine
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.services.intake.ingest import ingest_items
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.recompute import recompute
from tests.integration.conftest import Credo

PROVINCE = Path(__file__).parents[1] / "golden" / "packs" / "province-v1.yaml"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def violation(n: int, who: str, on: date) -> tuple[int, dict[str, object]]:
    return n, {
        "subject": {"id": who, "kind": "person", "region": "XP-A"},
        "type": "traffic.violation",
        "occurred_at": on.isoformat(),
        "source": "traffic-police",
        "source_ref": f"T-{n}",
        "attributes": {},
        "evidence": {"uri": f"https://evidence.example/{n}", "sha256": "ab" * 32},
    }


def scores_of(store: SqliteLedgerStore, subjects: list[str]) -> dict[str, tuple[int, int | None]]:
    out = {}
    for sid in subjects:
        s = store.stored_score(sid)
        assert s is not None
        out[sid] = (s.score, s.run_id)
    return out


def test_only_what_changed_is_written(tmp_path: Path) -> None:
    store = SqliteLedgerStore(f"sqlite:///{tmp_path / 'credo.db'}")
    store.migrate()
    adopt_pack_file(store, PROVINCE, now=NOW, actor="test")
    rulebook = current_rulebook(store)
    subjects = [f"p-{i}" for i in range(4)]
    # p-0's violation expires on 2026-03-01 (365 days); the others' are later.
    records = [violation(0, "p-0", date(2025, 3, 1))]
    records += [violation(i, f"p-{i}", date(2025, 9, 1)) for i in range(1, 4)]
    ingest_items(store, rulebook, records, today=NOW.date(), now=NOW)
    engine = FoldEngine(threads=1)

    def run(as_of: date, changed: bool) -> int:
        report = recompute(store, engine, rulebook, as_of=as_of, now=NOW, changed=changed)
        assert report.run_id is not None
        return report.written

    assert run(date(2026, 1, 1), changed=False) == 4
    first = scores_of(store, subjects)
    assert {run_id for _, run_id in first.values()} == {1}
    assert run(date(2026, 1, 1), changed=True) == 0  # nothing changed
    # A new record forgets p-1's stored score; p-0's holds until its violation expires.
    later = NOW + timedelta(minutes=1)
    ingest_items(
        store, rulebook, [violation(9, "p-1", date(2025, 12, 1))], today=NOW.date(), now=later
    )
    assert run(date(2026, 1, 1), changed=True) == 1
    second = scores_of(store, subjects)
    assert second["p-1"] == (first["p-1"][0] - 10, 3)
    assert {sid: s for sid, s in second.items() if sid != "p-1"} == {
        sid: s for sid, s in first.items() if sid != "p-1"
    }
    assert run(date(2026, 3, 1), changed=True) == 1  # p-0's violation has expired
    assert scores_of(store, subjects)["p-0"] == (first["p-0"][0] + 10, 4)
    # What is stored is what a whole recompute gives.
    kept = {sid: score for sid, (score, _) in scores_of(store, subjects).items()}
    run(date(2026, 3, 1), changed=False)
    assert {sid: score for sid, (score, _) in scores_of(store, subjects).items()} == kept
    store.close()


def test_the_command_says_how_many_it_wrote(credo: Credo) -> None:
    assert credo("pack", "adopt", str(PROVINCE)).code == 0
    run = credo("recompute", "--as-of", "2026-01-01", "--changed")
    assert run.code == 0, run.err
    assert "wrote the 0 scores that changed" in run.out
