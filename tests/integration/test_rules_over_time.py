"""Subjects move and rulebooks arrive (SPEC §3, §4.1), end to end through the command line: a
mover keeps its history, a more specific pack leaves the past as it was, and a revision that
would judge recorded facts more harshly is refused."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.integration.conftest import Credo

PACKS = Path(__file__).parents[1] / "golden" / "packs"
EVIDENCE = {"uri": "https://records.example/t.pdf", "sha256": "ab" * 32}
_yaml = YAML(typ="safe", pure=True)


def record(
    ref: str, region: str, day: str, type_: str = "traffic.violation", **more: Any
) -> dict[str, Any]:
    return {
        "subject": {"id": "p-9", "kind": "person", "region": region},
        "type": type_,
        "occurred_at": day,
        "source": "police",
        "source_ref": ref,
        "evidence": EVIDENCE,
        **more,
    }


def jsonl(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def explained(credo: Credo, as_of: str) -> dict[str, Any]:
    run = credo("explain", "p-9", "--as-of", as_of, "--json")
    assert run.code == 0, run.err
    doc: dict[str, Any] = json.loads(run.out)
    return doc


def test_a_mover_keeps_every_record_whatever_the_order_they_arrive_in(
    credo: Credo, tmp_path: Path
) -> None:
    adopt = credo("pack", "adopt", str(PACKS / "west-v1.yaml"), str(PACKS / "east-v1.yaml"))
    assert adopt.code == 0, adopt.err
    severe = {"attributes": {"severity": 2}}
    records = [
        record("W-1", "XT-W", "2024-03-01", **severe),
        record("E-1", "XT-E", "2024-07-01", **severe),
    ]
    # The later record first: which records are kept must not depend on arrival order.
    run = credo("ingest", jsonl(tmp_path / "moves.jsonl", records[::-1]))
    assert run.code == 0, run.out + run.err
    doc = explained(credo, "2024-09-01")
    assert (doc["pack"], doc["base"], doc["score"]) == ("east", 200, 170)
    by_ref = {c["source_ref"]: c for c in doc["contributions"]}
    assert by_ref["W-1"]["points"] == -10
    assert by_ref["W-1"]["pack"] == "west"
    assert by_ref["E-1"]["points"] == -20
    assert "pack" not in by_ref["E-1"]
    # Before the move, the west was where the subject lived.
    assert (explained(credo, "2024-05-01")["pack"], explained(credo, "2024-05-01")["score"]) == (
        "west",
        90,
    )


def test_a_more_specific_pack_governs_from_its_first_day_and_the_past_stays(
    credo: Credo, tmp_path: Path
) -> None:
    assert credo("pack", "adopt", str(PACKS / "province-v1.yaml")).code == 0
    history = [
        record("T-1", "XP-CT-T", "2024-03-01"),
        record("J-1", "XP-CT-T", "2024-04-01", "court.judgment_default", case_ref="C-1"),
    ]
    assert credo("ingest", jsonl(tmp_path / "history.jsonl", history)).code == 0
    before = explained(credo, "2024-06-01")
    assert (before["pack"], before["score"]) == ("province", 60)

    adopted = credo("pack", "adopt", str(PACKS / "county-v1.yaml"))
    assert adopted.code == 0, adopted.err  # it judges no record already in the ledger
    assert (
        credo(
            "ingest", jsonl(tmp_path / "later.jsonl", [record("T-2", "XP-CT-T", "2024-09-01")])
        ).code
        == 0
    )

    # The past is explained as it was; the court-ordered entry is still there.
    assert explained(credo, "2024-06-01") == before | {
        "next_change": explained(credo, "2024-06-01")["next_change"]
    }
    now = explained(credo, "2024-10-01")
    assert (now["pack"], now["base"], now["score"]) == ("county", 50, 5)
    assert [(e["list"], e["since"]) for e in now["lists"]] == [("defaulters", "2024-04-01")]
    check = credo("check", "p-9", "rail.ticket", "--as-of", "2024-10-01", "--json")
    assert json.loads(check.out)["decision"] == "deny"

    # The population engine leaves no one out.
    recompute = credo("recompute", "--as-of", "2024-10-01")
    assert recompute.code == 0, recompute.err
    score = credo("score", "p-9", "--as-of", "2024-10-01", "--json")
    assert json.loads(score.out)["score"] == 5


def test_a_backdated_revision_that_would_harden_a_recorded_penalty_is_refused(
    credo: Credo, tmp_path: Path
) -> None:
    assert credo("pack", "adopt", str(PACKS / "town-v1.yaml")).code == 0
    fine = record("T-1", "XT-TOWN", "2024-03-01", attributes={"severity": 1})
    assert credo("ingest", jsonl(tmp_path / "fine.jsonl", [fine])).code == 0
    assert explained(credo, "2024-04-01")["score"] == 95

    doc = _yaml.load((PACKS / "town-v1.yaml").read_text(encoding="utf-8"))
    doc.update(version=2, effective_from=date(2024, 2, 1))
    doc["rules"][0]["points"] = -30  # traffic-minor, dated before the fine
    harsher = tmp_path / "town-v2-harsher.yaml"
    with harsher.open("w") as f:
        YAML().dump(doc, f)
    refused = credo("pack", "adopt", str(harsher))
    assert refused.code == 1
    assert "would judge 1 record already in the ledger more harshly" in refused.err
    assert "police T-1" in refused.err
    assert "-30 points on 2024-03-01 instead of -5" in refused.err
    assert explained(credo, "2024-04-01")["score"] == 95  # nothing was adopted

    # Dated after the fine, the same rule judges only what comes later.
    doc.update(effective_from=date(2024, 6, 1))
    with harsher.open("w") as f:
        YAML().dump(doc, f)
    assert credo("pack", "adopt", str(harsher)).code == 0
    assert explained(credo, "2024-07-01")["score"] == 95
