"""`make bench`: every figure printed beside a reference measured in the same run.

python -m benchmarks [--records N]
    [--only cli|ingest|scoring|recompute|simulate|api|portal|audit|verdicts]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks import (
    api,
    audit,
    cli,
    ingest,
    portal,
    recompute,
    scoring,
    simulate,
    verdicts,
)
from benchmarks.report import Report

OUT = Path(__file__).parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--only",
        choices=[
            "cli",
            "ingest",
            "scoring",
            "recompute",
            "simulate",
            "api",
            "portal",
            "audit",
            "verdicts",
        ],
    )
    parser.add_argument(
        "--sizes",
        default="1000000,10000000,100000000",
        help="ledger sizes (records) for the recompute benchmark",
    )
    parser.add_argument("--spark-size", type=int, default=10_000_000)
    parser.add_argument(
        "--simulate-sizes",
        default="10000000",
        help="ledger sizes (records) for simulate beside recompute",
    )
    args = parser.parse_args()
    report = Report()
    if args.only in (None, "cli"):
        cli.run(report)
    if args.only in (None, "scoring"):
        scoring.run(report, min(args.records, 1_000_000))
    if args.only in (None, "ingest"):
        ingest.run(report, args.records, OUT)
    if args.only in (None, "recompute"):
        sizes = [int(n) for n in args.sizes.split(",")]
        recompute.run(report, sizes, OUT, args.spark_size or None)
    if args.only in (None, "simulate"):
        simulate.run(report, [int(n) for n in args.simulate_sizes.split(",")], OUT)
    if args.only in (None, "audit"):
        audit.run(report, args.records, OUT)
    if args.only in (None, "verdicts"):
        verdicts.run(report, args.records, OUT)
    if args.only in (None, "api"):
        api.run(report)
    if args.only in (None, "portal"):
        portal.run(report)
    report.save(OUT / "latest.json")


if __name__ == "__main__":
    main()
