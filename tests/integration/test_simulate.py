"""`credo pack diff` and `credo simulate` as a rulebook author uses them: an identical proposal
changes nothing; a proposal simulated, then adopted and recomputed, gives exactly the transitions
and decisions the simulation printed (SQLite and PostgreSQL; DuckDB, and Spark once); a harsher
backdated proposal is reported as refused, as `pack adopt` refuses it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from credo.bootstrap import bootstrap
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.checks import check_subject
from credo.settings import Settings
from credo.shipped import packs_dir
from tests.contract.conftest import libpq_url, postgres_schema, postgres_url  # noqa: F401
from tests.integration.conftest import Credo
from tests.integration.test_due_process_cli import backend  # noqa: F401

RONGCHENG = packs_dir() / "rongcheng"
V3 = Path(__file__).parents[2] / "docs" / "examples" / "rongcheng-v3.yaml"
AS_OF = "2026-11-30"


def ledger(credo: Credo, tmp_path: Path, *, subjects: int = 60, records: int = 900) -> None:
    adopted = credo("pack", "adopt", str(RONGCHENG / "v1.yaml"), str(RONGCHENG / "v2.yaml"))
    assert adopted.code == 0, adopted.err
    population = tmp_path / "population.jsonl"
    made = credo(
        "synth", "--subjects", str(subjects), "--records", str(records), "--as-of", AS_OF,
        "--out", str(population), "--pack", str(RONGCHENG / "v2.yaml"),
    )  # fmt: skip
    assert made.code == 0, made.err
    assert credo("ingest", str(population)).code == 0


def simulated(credo: Credo, *args: str) -> dict[str, Any]:
    ran = credo("simulate", "--as-of", AS_OF, "--json", *args)
    assert ran.code == 0, ran.out + ran.err
    return dict(json.loads(ran.out))


def tiers(credo: Credo, tmp_path: Path, name: str, *engine: str) -> dict[str, str]:
    snap = tmp_path / name
    ran = credo("recompute", "--as-of", AS_OF, "--snapshot", str(snap), *engine)
    assert ran.code == 0, ran.out + ran.err
    table = pq.read_table(snap / f"scores-{AS_OF}" / "scores.parquet")
    return dict(zip(table["subject_id"].to_pylist(), table["tier"].to_pylist(), strict=True))


def decisions(subjects: list[str], contexts: list[str]) -> dict[tuple[str, str], Any]:
    """Each subject's decision in each context, by the online path (`credo check`)."""
    ctx = bootstrap(Settings())
    try:
        rulebook = current_rulebook(ctx.store)
        on = date.fromisoformat(AS_OF)
        found = {}
        for s in subjects:
            for c in contexts:
                d = check_subject(ctx.store, rulebook, s, c, as_of=on)
                found[(s, c)] = (d.decision, sorted(d.terms.items()))
        return found
    finally:
        ctx.store.close()


def test_pack_diff_reads_and_prints_json(credo: Credo) -> None:
    text = credo("pack", "diff", str(RONGCHENG / "v2.yaml"), str(V3))
    assert text.code == 0, text.err
    assert "~ traffic-serious: points -20 → -15" in text.out
    assert "+ library-long-loans" in text.out
    as_json = json.loads(credo("pack", "diff", str(RONGCHENG / "v2.yaml"), str(V3), "--json").out)
    assert {(c["part"], c["id"], c["change"]) for c in as_json["changes"]} >= {
        ("rule", "blood-donation-small", "added"),
        ("measure", "library-long-loans", "added"),
    }
    other = credo(
        "pack", "diff", str(RONGCHENG / "v2.yaml"), str(packs_dir() / "national-org" / "v1.yaml")
    )
    assert other.code == 1
    assert "two versions of one pack" in other.err


def test_a_proposal_identical_to_the_adopted_version_changes_nothing(
    credo: Credo, tmp_path: Path
) -> None:
    ledger(credo, tmp_path, subjects=30, records=300)
    same = tmp_path / "v3-same.yaml"
    same.write_text(
        (RONGCHENG / "v2.yaml")
        .read_text()
        .replace("version: 2\neffective_from: 2026-07-01", "version: 3\neffective_from: 2026-09-01")
    )
    for proposal in (RONGCHENG / "v2.yaml", same):
        got = simulated(credo, "--pack", str(proposal))
        [pack] = got["packs"]
        assert pack["subjects"] > 10
        assert all(c["from"] == c["to"] for c in pack["transitions"])
        assert sum(c["subjects"] for c in pack["transitions"]) == pack["subjects"]
        change = pack["score_change"]
        assert (change["up"], change["down"], change["unchanged"]) == (0, 0, pack["subjects"])
        assert all(
            (d["allow_to_deny"], d["deny_to_allow"], d["terms_changed"]) == (0, 0, 0)
            for d in pack["decisions"]
        )
        assert all(lst["opened"] == lst["closed"] == 0 for lst in pack["lists"])
        assert not any(v for k, v in pack["records_changed"].items() if k != "by_rule")
    assert simulated(credo, "--pack", str(RONGCHENG / "v2.yaml"))["proposals"][0]["already_adopted"]


def _simulate_adopt_recompute(credo: Credo, tmp_path: Path, *engine: str) -> None:
    before = tiers(credo, tmp_path, "before", *engine)
    contexts = ["rail.high-speed-ticket", "air.ticket", "bike.rental", "library.loan"]
    decided = decisions(sorted(before), contexts)
    got = simulated(credo, "--pack", str(V3), *engine)
    assert got["proposals"][0]["refused"] is False
    [pack] = got["packs"]
    adopted = credo("pack", "adopt", str(V3))
    assert adopted.code == 0, adopted.err
    after = tiers(credo, tmp_path, "after", *engine)
    moves = Counter((before.get(s), after.get(s)) for s in before.keys() | after.keys())
    assert {(c["from"], c["to"]): c["subjects"] for c in pack["transitions"]} == dict(moves)
    assert any(f != t for f, t in moves)  # the proposal moves someone, or the test shows nothing
    now = decisions(sorted(before), contexts)
    for d in pack["decisions"]:
        c = d["context"]
        pairs = [(decided[(s, c)], now[(s, c)]) for s in before]
        assert d["allow_to_deny"] == sum(a[0] == "allow" and b[0] == "deny" for a, b in pairs)
        assert d["deny_to_allow"] == sum(a[0] == "deny" and b[0] == "allow" for a, b in pairs)
        assert d["terms_changed"] == sum(a[0] == b[0] and a[1] != b[1] for a, b in pairs)
    library = next(d for d in pack["decisions"] if d["context"] == "library.loan")
    assert library["terms_changed"] > 0
    assert pack["records_changed"]["softened"] > 0


def test_simulate_then_adopt_then_recompute_gives_what_was_simulated(
    credo: Credo,
    backend: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ledger(credo, tmp_path)
    _simulate_adopt_recompute(credo, tmp_path)


def test_simulated_and_recomputed_on_duckdb_in_sql_alike(credo: Credo, tmp_path: Path) -> None:
    ledger(credo, tmp_path)
    _simulate_adopt_recompute(credo, tmp_path, "--engine", "duckdb")


@pytest.mark.spark
@pytest.mark.slow
def test_simulate_on_spark_prints_what_duckdb_prints(
    credo: Credo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's simulation is held to adoption and recompute above; Spark's to DuckDB's."""
    from credo import bootstrap as bootstrapping
    from tests.engines.spark import SPARK

    monkeypatch.setitem(bootstrapping.ENGINES, "spark", lambda: SPARK)
    ledger(credo, tmp_path, subjects=30, records=300)
    duck = simulated(credo, "--pack", str(V3), "--engine", "duckdb")
    spark = simulated(credo, "--pack", str(V3), "--engine", "spark")
    assert duck.pop("engine") == "duckdb"
    assert spark.pop("engine") == "spark"
    assert spark == duck
    assert any(c["from"] != c["to"] for c in duck["packs"][0]["transitions"])


def test_a_harsher_backdated_proposal_is_reported_as_refused(credo: Credo, tmp_path: Path) -> None:
    ledger(credo, tmp_path, subjects=30, records=300)
    harsher = tmp_path / "v3-harsher.yaml"
    harsher.write_text(
        (RONGCHENG / "v2.yaml")
        .read_text()
        .replace("version: 2\neffective_from: 2026-07-01", "version: 3\neffective_from: 2026-08-01")
        .replace("    points: -3\n", "    points: -30\n", 1)
    )
    got = simulated(credo, "--pack", str(harsher))
    [proposal] = got["proposals"]
    assert proposal["refused"] is True
    hardened = proposal["would_harden"]
    assert hardened["records"] > 0
    assert " points on 2026-08-01 instead of " in hardened["first"][0]["how"]
    readable = credo("simulate", "--as-of", AS_OF, "--pack", str(harsher))
    assert "REFUSED" in readable.out
    refused = credo("pack", "adopt", str(harsher))
    assert refused.code == 1
    assert f"would judge {hardened['records']} record" in refused.err


def test_the_report_in_both_languages_with_plots_and_no_small_cells(
    credo: Credo, tmp_path: Path
) -> None:
    from xml.dom import minidom

    ledger(credo, tmp_path, subjects=40, records=400)
    folder = tmp_path / "report"
    ran = credo("simulate", "--as-of", AS_OF, "--pack", str(V3), "--report", str(folder))
    assert ran.code == 0, ran.err
    report = json.loads((folder / "report.json").read_text())
    [pack] = report["packs"]
    assert all(c["subjects"] is None or c["subjects"] >= 10 for c in pack["transitions"])
    assert all(
        v is None or v == 0 or v >= 10
        for row in pack["breakdown"]
        for k, v in row.items()
        if k not in ("region", "kind")
    )
    english = (folder / "report.html").read_text()
    chinese = (folder / "report.zh.html").read_text()
    assert "What the proposal would change" in english
    assert "提案将带来的变化" in chinese
    for name in ("transitions", "scores", "decisions"):
        svg = (folder / f"rongcheng-{name}.svg").read_text()
        minidom.parseString(svg)  # well-formed, or no browser draws it
        assert "style=" not in svg  # the portal's policy applies no inline style
        assert f"rongcheng-{name}.svg" in english


def test_propose_records_the_report_and_adopt_names_the_proposal(
    credo: Credo, tmp_path: Path
) -> None:
    ledger(credo, tmp_path, subjects=30, records=300)
    harsher = tmp_path / "v3-harsher.yaml"
    harsher.write_text(
        (RONGCHENG / "v2.yaml")
        .read_text()
        .replace("version: 2\neffective_from: 2026-07-01", "version: 3\neffective_from: 2026-08-01")
        .replace("    points: -3\n", "    points: -30\n", 1)
    )
    refused = credo("pack", "propose", str(harsher), "--as-of", AS_OF)
    assert refused.code == 1
    assert "it is not proposed" in refused.err
    proposed = credo("pack", "propose", str(V3), "--as-of", AS_OF)
    assert proposed.code == 0, proposed.err
    assert "proposal 1: rongcheng v3 recorded" in proposed.out
    adopted = credo("pack", "adopt", str(V3))
    assert "it carries out proposal 1" in adopted.out
    again = credo("pack", "propose", str(V3), "--as-of", AS_OF)
    assert again.code == 1
    assert "adopted already" in again.err
