"""`credo simulate` on a Parquet ledger beside `credo recompute` on the same files, each in a
fresh process and with the same engine (the fold engine, the default of both): a simulation
scores the population twice, under the rulebook as adopted and with the proposal, and compares
them, so the goal is at most 2.2 recomputes. Both judge the ledger afresh (no judged ledger is
kept beside the files), as a recompute after a new adoption does. The proposal is the worked
example of docs/simulation.md (rongcheng v3); the store holds the shipped packs and none of the
ledger, so the check that nothing is made harsher reads no record here: it is adoption's own
check, measured with `pack adopt`, not by this benchmark."""

from __future__ import annotations

from pathlib import Path

from benchmarks.recompute import AS_OF, _child, best_of, ledger_dir, record_count
from benchmarks.report import Report

V3 = Path(__file__).parents[1] / "docs" / "examples" / "rongcheng-v3.yaml"

_SETUP = f"""
import resource, time
from datetime import date
from pathlib import Path
from benchmarks.recompute import rulebook
from credo.adapters.engines.fold_engine import FoldEngine
from credo.adapters.engines.protocol import LedgerSource
src = LedgerSource("{{path}}/records*.parquet", "{{path}}/entries.parquet")
as_of = date.fromisoformat("{AS_OF}")
"""


def recompute_seconds(path: Path) -> tuple[float, float]:
    return _child(
        _SETUP.format(path=path)
        + """
rb = rulebook()
started = time.perf_counter()
FoldEngine().recompute(src, rb, as_of)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    )


def simulate_seconds(path: Path) -> tuple[float, float]:
    return _child(
        _SETUP.format(path=path)
        + f"""
from datetime import datetime, UTC
from credo.bootstrap import build_store
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.simulate import read_proposals, simulate, simulation_json
from credo.shipped import shipped_packs
store = build_store("memory:")
store.migrate()
for p in shipped_packs():
    adopt_pack_file(store, p, now=datetime.now(UTC), actor="cli:bench")
proposal = read_proposals([Path("{V3}")])
started = time.perf_counter()
sim = simulate(store, FoldEngine(), proposal, as_of=as_of, source=src)
simulation_json(sim, published=True)
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    )


def run(report: Report, sizes: list[int], out: Path, repeat: int = 1) -> None:
    for n in sizes:
        path = ledger_dir(out, n)
        records = record_count(path)
        recompute, _ = best_of(repeat, lambda p=path: recompute_seconds(p))
        simulate, peak = best_of(repeat, lambda p=path: simulate_seconds(p))
        report.figure(f"recompute {records:,} records (fold)", recompute, "s")
        report.figure(f"simulate {records:,} records (fold)", simulate, "s")
        report.figure(f"simulate {records:,} records (fold) peak memory", peak, "GiB")
        report.ratio(
            f"recompute / simulate at {n:,} records (goal: simulate within 2.2x)",
            recompute / simulate,
            goal=1 / 2.2,
        )
