"""The command line as a rulebook author, a provider and an operator use it."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credo.shipped import packs_dir
from tests.integration.conftest import Credo

RONGCHENG = str(packs_dir() / "rongcheng" / "v1.yaml")
EVIDENCE = {"uri": "https://records.example/x.pdf", "sha256": "ab" * 32}


def record(ref: str, **overrides: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "subject": {"id": "p-1", "kind": "person", "region": "CN-SD-RC"},
        "type": "traffic.violation",
        "occurred_at": "2026-03-01",
        "source": "traffic-police-rc",
        "source_ref": ref,
        "attributes": {"severity": 2},
        "evidence": EVIDENCE,
    }
    r.update(overrides)
    return r


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def test_pack_check_points_at_file_line_and_key(credo: Credo, tmp_path: Path) -> None:
    ok = credo("pack", "check", RONGCHENG)
    assert ok.code == 0, ok.err
    assert "ok (rongcheng v1" in ok.out
    text = Path(RONGCHENG).read_text().replace("    points: -20\n", "    pionts: -20\n", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    line = text.splitlines().index("    pionts: -20") + 1
    result = credo("pack", "check", str(bad))
    assert result.code == 1
    assert f"bad.yaml:{line}:" in result.err
    assert "pionts" in result.err
    assert "points" in result.err


def test_adopted_versions_are_immutable(credo: Credo, tmp_path: Path) -> None:
    assert "adopted: rongcheng v1" in credo("pack", "adopt", RONGCHENG).out
    assert "already adopted" in credo("pack", "adopt", RONGCHENG).out
    changed = tmp_path / "v1.yaml"
    changed.write_text(Path(RONGCHENG).read_text().replace("points: -5\n", "points: -6\n", 1))
    refused = credo("pack", "adopt", str(changed))
    assert refused.code == 1
    assert "rongcheng" in refused.err
    assert "version 1" in refused.err


def test_ingest_keeps_good_lines_reports_bad_ones_and_is_idempotent(
    credo: Credo, tmp_path: Path
) -> None:
    credo("pack", "adopt", RONGCHENG)
    path = write_jsonl(
        tmp_path / "batch.jsonl",
        [
            record("TP-1"),
            "{not json",
            record("TP-2", occurred_at="2099-01-01"),
            record("TP-3", attributes={"severity": 2}, evidence=None),
            record("TP-4", type="civic.volunteering", attributes={"hours": 20}, evidence=None),
            [1, 2],
        ],
    )
    first = credo("ingest", str(path))
    assert first.code == 1
    assert "6 read, 2 created, 0 already present, 4 rejected" in first.out
    rejects = [json.loads(x) for x in (tmp_path / "batch.rejects.jsonl").read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 3, 4, 6]
    assert "malformed JSON" in rejects[0]["reason"]
    assert "future" in rejects[1]["reason"]
    assert "needs evidence" in rejects[2]["reason"]
    again = credo("ingest", str(path))
    assert "2 created" not in again.out
    assert "0 created, 2 already present" in again.out

    conflict = write_jsonl(tmp_path / "conflict.jsonl", [record("TP-1", occurred_at="2026-03-02")])
    result = credo("ingest", str(conflict))
    assert result.code == 1
    assert "conflict" in result.out

    explained = json.loads(credo("explain", "p-1", "--as-of", "2026-06-01", "--json").out)
    assert explained["score"] == 1000 - 5 + 10
    assert {c["source_ref"] for c in explained["contributions"]} == {"TP-1", "TP-4"}


def test_csv_and_parquet_ingest_like_jsonl(credo: Credo, tmp_path: Path) -> None:
    credo("pack", "adopt", RONGCHENG)
    columns = [
        "subject.id",
        "subject.kind",
        "subject.region",
        "type",
        "occurred_at",
        "source",
        "source_ref",
        "attributes.severity",
        "evidence.uri",
        "evidence.sha256",
    ]
    path = tmp_path / "batch.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        w.writerow(
            [
                "p-2",
                "person",
                "CN-SD-RC",
                "traffic.violation",
                "2026-03-01",
                "tp",
                "C-1",
                "3",
                EVIDENCE["uri"],
                EVIDENCE["sha256"],
            ]
        )
        w.writerow(
            [
                "p-2",
                "person",
                "CN-SD-RC",
                "traffic.violation",
                "2026-03-01",
                "tp",
                "C-2",
                "three",
                EVIDENCE["uri"],
                EVIDENCE["sha256"],
            ]
        )
    result = credo("ingest", str(path))
    assert "1 created" in result.out
    assert "1 rejected" in result.out
    assert "line 3" in result.out
    assert "attributes.severity" in result.out

    table = pa.Table.from_pylist(
        [record("PQ-1", subject={"id": "p-3", "kind": "person", "region": "CN-SD-RC"})]
    )
    pq.write_table(table, tmp_path / "batch.parquet")
    assert credo("ingest", str(tmp_path / "batch.parquet")).code == 0
    assert json.loads(credo("score", "p-3", "--as-of", "2026-06-01", "--json").out)["score"] == 995
    assert json.loads(credo("score", "p-2", "--as-of", "2026-06-01", "--json").out)["score"] == 980


def test_errors_are_clear_and_exit_codes_follow_the_contract(credo: Credo) -> None:
    credo("pack", "adopt", RONGCHENG)
    unknown = credo("score", "nobody")
    assert unknown.code == 1
    assert "no records about subject 'nobody'" in unknown.err
    assert credo("score", "nobody", "--as-of", "yesterday").code == 2
    assert credo("frobnicate").code == 2


@pytest.mark.parametrize(
    "command",
    [
        ["score", "p-1"],
        ["explain", "p-1"],
        ["check", "p-1", "rail.high-speed-ticket"],
        ["recompute"],
        ["synth", "--out", "never.jsonl"],
    ],
)
def test_every_command_reads_a_date_the_same_way(credo: Credo, command: list[str]) -> None:
    run = credo(*command, "--as-of", "2026-13-01")
    assert run.code == 2
    assert "'2026-13-01' is not a date as YYYY-MM-DD" in run.err
    assert "Traceback" not in run.err


HEAVY = ("duckdb", "pyarrow", "sqlalchemy", "fastapi", "pyspark", "alembic", "uvicorn")
"""Libraries a command loads only when it needs them: engines, stores, the server."""
AT_HELP = (*HEAVY, "pydantic_settings", "cryptography", "rich", "ruamel")
"""...and what `credo --help` needs none of: settings, keys, consoles and packs."""

_LOADED = """
import sys
from credo.cli.app import main
try:
    main()
except SystemExit:
    pass
print("loaded:" + ",".join(m for m in {modules!r} if m in sys.modules), file=sys.stderr)
"""


def loaded_by(*args: str, modules: tuple[str, ...], cwd: Path | None = None) -> str:
    """Which of `modules` `credo *args` had imported when it ended, from a fresh process."""
    script = _LOADED.format(modules=modules)
    run = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=cwd
    )
    assert run.returncode == 0, run.stderr
    return run.stderr.strip().splitlines()[-1]


def test_help_loads_no_engine_store_or_web_library() -> None:
    """`credo --help` answers at once: the heavy libraries load with the commands that use them."""
    assert loaded_by("--help", modules=AT_HELP) == "loaded:"


def test_a_score_loads_no_store_library_engine_or_server(credo: Credo, tmp_path: Path) -> None:
    """`credo score` on an SQLite ledger already migrated reads it through `sqlite3` alone,
    and loads neither SQLAlchemy nor Alembic, an engine, Arrow or the web stack; on a ledger
    still to migrate, the store opens it (and migrates it) as before."""
    credo("pack", "adopt", RONGCHENG)
    credo("ingest", str(write_jsonl(tmp_path / "r.jsonl", [record("r-1")])))
    db = f"sqlite:///{tmp_path / 'credo.db'}"
    assert loaded_by("--db", db, "score", "p-1", modules=HEAVY, cwd=tmp_path) == "loaded:"
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert loaded_by("--db", fresh, "score", "p-1", modules=HEAVY, cwd=tmp_path).startswith(
        "loaded:sqlalchemy"
    )


def test_synth_is_deterministic_by_seed(credo: Credo, tmp_path: Path) -> None:
    def digest(name: str, seed: str) -> str:
        out = tmp_path / name
        run = credo(
            "synth",
            "--subjects",
            "200",
            "--records",
            "1000",
            "--seed",
            seed,
            "--as-of",
            "2026-11-22",
            "--out",
            str(out),
        )
        assert run.code == 0, run.err
        return hashlib.sha256(out.read_bytes()).hexdigest()

    assert digest("a.jsonl", "1") == digest("b.jsonl", "1") != digest("c.jsonl", "2")
    credo(
        "pack",
        "adopt",
        RONGCHENG,
        str(packs_dir() / "rongcheng" / "v2.yaml"),
        str(packs_dir() / "national-org" / "v1.yaml"),
    )
    ingested = credo("ingest", str(tmp_path / "a.jsonl"))
    assert ingested.code == 0, ingested.out
