"""Order of arrival never changes an answer (SPEC §4.1): a mover's records, sent in any order
and in any batches, leave the same ledger and the same explanation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from credo.adapters.stores.memory import MemoryLedgerStore
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.domain.scoring.explanation import explain
from credo.services.intake.ingest import ingest_items
from credo.services.rating.explanation_json import explanation_json
from tests.golden.cases import load_pack

PACKS = Path(__file__).parents[1] / "golden" / "packs"
RULEBOOK = Rulebook(PackVersion(load_pack(PACKS / f"{p}.yaml")) for p in ("west-v1", "east-v1"))
TODAY = date(2025, 1, 1)
NOW = datetime(2025, 1, 1, tzinfo=UTC)
EVIDENCE = {"uri": "https://records.example/o.pdf", "sha256": "ab" * 32}
TYPES = (
    "traffic.violation",
    "court.judgment_default",
    "court.judgment_satisfied",
    "civic.volunteering",
)


@st.composite
def moves(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A subject's records across two regions, some sharing a case."""
    n = draw(st.integers(1, 8))
    out = []
    for i in range(n):
        type_ = draw(st.sampled_from(TYPES))
        record: dict[str, Any] = {
            "subject": {
                "id": "p-1",
                "kind": "person",
                "region": draw(st.sampled_from(["XT-W", "XT-E"])),
            },
            "type": type_,
            "occurred_at": (
                date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
            ).isoformat(),
            "source": "agency",
            "source_ref": f"R-{i}",
            "evidence": EVIDENCE,
        }
        if type_ == "traffic.violation":
            record["attributes"] = {"severity": draw(st.integers(1, 5))}
        if type_.startswith("court."):
            record["case_ref"] = draw(st.sampled_from(["K-1", "K-2"]))
        out.append(record)
    return out


def ledger_after(records: list[dict[str, Any]], batch_size: int) -> tuple[object, dict[str, Any]]:
    store = MemoryLedgerStore()
    report = ingest_items(
        store,
        RULEBOOK,
        list(enumerate(records, start=1)),
        today=TODAY,
        now=NOW,
        batch_size=batch_size,
    )
    assert not report.rejected, report.rejected
    kept = sorted(
        (lr.record.source_ref, lr.record.subject.region) for lr in store.records_of("p-1")
    )
    explained = explanation_json(
        explain("p-1", RULEBOOK, store.records_of("p-1"), date(2024, 12, 1))
    )
    return kept, explained


@given(moves(), st.data())
def test_a_movers_records_arrive_in_any_order_with_the_same_result(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(records))
    batch = data.draw(st.integers(1, 4))
    assert ledger_after(shuffled, batch) == ledger_after(records, len(records))
