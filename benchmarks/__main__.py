"""`make bench`: every figure printed beside a reference measured in the same run.

    python -m benchmarks [--records N] [--only ingest|scoring]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks import ingest, scoring
from benchmarks.report import Report

OUT = Path(__file__).parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["ingest", "scoring"])
    args = parser.parse_args()
    report = Report()
    if args.only in (None, "scoring"):
        scoring.run(report, min(args.records, 1_000_000))
    if args.only in (None, "ingest"):
        ingest.run(report, args.records, OUT)
    report.save(OUT / "latest.json")


if __name__ == "__main__":
    main()
