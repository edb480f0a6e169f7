"""`credo recompute` after every kind of due-process entry, on SQLite and PostgreSQL: an open
objection, a decision each way, a withdrawal and a moot closing, beside a synthetic population.
The store's export then mixes rows with and without objection ids and outcomes, which once broke
the Arrow export on SQLite; the engine's scores must be the online path's."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from credo.domain.ledger.records import record_id_for
from credo.shipped import shipped_packs
from tests.contract.conftest import libpq_url, postgres_schema, postgres_url  # noqa: F401
from tests.integration.conftest import Credo
from tests.integration.test_cli import record, write_jsonl
from tests.integration.test_due_process_cli import backend  # noqa: F401

AS_OF = "2026-11-30"


def objection(credo: Credo, ref: str) -> str:
    filed = credo("object", record_id_for("traffic-police-rc", ref), "--reason", "not me")
    assert filed.code == 0, filed.out + filed.err
    found = json.loads(credo("objections", "--all", "--json").out)
    return next(
        str(o["objection_id"])
        for o in found
        if o["record_id"] == record_id_for("traffic-police-rc", ref)
    )


def test_recompute_after_every_kind_of_entry_agrees_with_the_online_path(
    credo: Credo,
    backend: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    population = tmp_path / "population.jsonl"
    made = credo("synth", "--subjects", "40", "--records", "400", "--out", str(population))
    assert made.code == 0, made.err
    assert credo("ingest", str(population)).code == 0
    mine = [record(f"TP-{n}", occurred_at=f"2026-0{n}-01") for n in range(1, 6)]
    assert credo("ingest", str(write_jsonl(tmp_path / "mine.jsonl", mine))).code == 0

    objection(credo, "TP-1")  # left open: the record is suspended meanwhile
    upheld = objection(credo, "TP-2")
    assert credo("decide", upheld, "upheld", "--note", "no receipt").code == 0
    overturned = objection(credo, "TP-3")
    assert credo("decide", overturned, "overturned", "--note", "receipt").code == 0
    assert credo("withdraw", "traffic-police-rc", "TP-4", "--reason", "wrong plate").code == 0
    objection(credo, "TP-5")
    moot = credo("withdraw", "traffic-police-rc", "TP-5", "--reason", "wrong person")
    assert moot.code == 0, moot.out + moot.err

    ran = credo("recompute", "--as-of", AS_OF, "--snapshot", str(tmp_path / "snap"))
    assert ran.code == 0, ran.out + ran.err
    scores = {
        row["subject_id"]: row["score"]
        for path in sorted((tmp_path / "snap").rglob("*.parquet"))
        for row in pq.read_table(path).to_pylist()
        if "score" in row
    }
    assert len(scores) > 10
    for subject in ["p-1", *sorted(scores)[:10]]:
        explained = json.loads(credo("explain", subject, "--as-of", AS_OF, "--json").out)
        assert scores[subject] == explained["score"], subject
