"""The single-record scoring path beside zen-engine, and `explain` for a busy subject."""

from __future__ import annotations

import json
import statistics
import time
from datetime import date, timedelta

import zen

from benchmarks.report import Report
from benchmarks.zen_table import decision_table
from credo.domain.ledger.records import Evidence, LedgerRecord, Record
from credo.domain.ledger.subjects import Subject
from credo.domain.rules import ir
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.domain.scoring.evaluate import CompiledRules
from credo.domain.scoring.explanation import explain
from credo.services.packs.check import load_pack
from credo.services.synth.population import SynthSpec, synthesize
from credo.shipped import shipped_packs

TODAY = date(2026, 11, 22)
EVIDENCE = Evidence("https://records.example/bench.pdf", "0" * 64)


def _sample(n: int) -> tuple[Rulebook, list[tuple[str, dict[str, object]]]]:
    rulebook = Rulebook(PackVersion(load_pack(p)) for p in shipped_packs())
    table = synthesize(rulebook, SynthSpec(subjects=max(n // 10, 1), records=n, today=TODAY))
    types = table.column("type").to_pylist()
    attrs = [
        {k: v for k, v in a.items() if v is not None}
        for a in table.column("attributes").to_pylist()
    ]
    return rulebook, list(zip(types, attrs, strict=True))


def run(report: Report, n: int) -> None:
    rulebook, rows = _sample(n)
    pack = rulebook.packs["rongcheng"].latest().pack
    rows = [(t, a) for t, a in rows if t in pack.record_types]
    table = ir.rule_table(pack)

    rules = CompiledRules(table)
    started = time.perf_counter()
    python_hits = [rules.match(t, a) for t, a in rows]
    python_rate = len(rows) / (time.perf_counter() - started)

    decision = zen.ZenEngine().create_decision(json.dumps(decision_table(table)))
    zen_rows = rows[: min(len(rows), 100_000)]
    started = time.perf_counter()
    zen_hits = [decision.evaluate({"type": t, **a})["result"] for t, a in zen_rows]
    zen_rate = len(zen_rows) / (time.perf_counter() - started)

    for ours, theirs in zip(python_hits, zen_hits, strict=False):
        expected = {"rule": ours.rule_id, "points": ours.points} if ours else {}
        got = {k: (int(v) if k == "points" else v) for k, v in theirs.items()}
        assert got == expected, (ours, theirs)
    report.figure("scoring: python rule path", python_rate, "records/s")
    report.figure("scoring: zen-engine decision table, record by record", zen_rate, "records/s")
    report.ratio("python path / zen-engine", python_rate / zen_rate, goal=1.0)
    _explain_latency(report, rulebook, rows[:100])


def _explain_latency(
    report: Report, rulebook: Rulebook, rows: list[tuple[str, dict[str, object]]]
) -> None:
    """`explain` for one subject with 100 records (some sharing a case), on the online path."""
    subject = Subject("p-busy", "person", rulebook.packs["rongcheng"].jurisdiction)
    records = [
        LedgerRecord(
            Record(
                subject,
                t,
                TODAY - timedelta(days=7 * i),
                "bench",
                f"b-{i}",
                a,
                EVIDENCE,
                f"K-{i // 5}" if i % 3 == 0 else None,
            )
        )
        for i, (t, a) in enumerate(rows)
    ]
    times = []
    for _ in range(30):
        started = time.perf_counter()
        explain("p-busy", rulebook, records, TODAY)
        times.append((time.perf_counter() - started) * 1000)
    report.figure(f"explain, {len(records)} records: median", statistics.median(times), "ms")
    report.figure(f"explain, {len(records)} records: worst", max(times), "ms")
