"""`credo recompute --from DIR`: the ledger judged once and kept beside the files, so that the
next recompute, on any date, is a fold; `--rejudge` judges it again, to the same answer."""

from __future__ import annotations

import re
from pathlib import Path

from credo.shipped import packs_dir
from tests.integration.conftest import Credo


def test_the_second_recompute_of_a_ledger_is_a_fold(credo: Credo, tmp_path: Path) -> None:
    packs = [packs_dir() / "rongcheng" / "v1.yaml", packs_dir() / "rongcheng" / "v2.yaml"]
    packs.append(packs_dir() / "national-org" / "v1.yaml")
    assert credo("pack", "adopt", *map(str, packs)).code == 0
    ledger = tmp_path / "ledger"
    synth = ("synth", "--subjects", "100", "--records", "800", "--as-of", "2026-11-22")
    assert credo(*synth, "--out", str(ledger)).code == 0

    def recompute(*extra: str) -> str:
        run = credo("recompute", "--from", str(ledger), "--as-of", "2026-11-22", *extra)
        assert run.code == 0, run.err
        # The summary without its timing, which is all that may differ between runs.
        return re.sub(r" in [\d.]+s \([\d,]+ records/s\)", "", run.out)

    first = recompute()
    assert "recomputed" in first
    assert "rongcheng v2" in first
    (kept,) = [p for p in (ledger / "judged").iterdir() if p.is_dir()]
    written = (kept / "records.arrow").stat().st_mtime_ns
    assert recompute() == first
    assert (kept / "records.arrow").stat().st_mtime_ns == written  # read, not judged again
    assert recompute("--rejudge") == first
    (again,) = [p for p in (ledger / "judged").iterdir() if p.is_dir()]
    assert again.name == kept.name
    assert (again / "records.arrow").stat().st_mtime_ns != written
    # The staged engine agrees with the fold, line for line.
    assert recompute("--engine", "duckdb") == first
