"""The judged ledger a store keeps: ingest into SQLite with each record's verdict written beside
it against ingest without (the same records, side by side in pairs), and then, on that ledger,
`credo recompute` folding the kept verdicts against today's engine reading the ledger as
exported, the whole ledger judged again (`--rejudge`) against the same, and `--changed` after a
day's new records against a whole recompute."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from benchmarks.ingest import TODAY, _ingest, ledger_file
from benchmarks.report import Report
from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.fold_engine import FoldEngine
from credo.adapters.engines.protocol import PopulationEngine
from credo.adapters.stores.sql import verdicts as sql_verdicts
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.domain.ledger.records import Record
from credo.domain.rules.rulebook import Rulebook
from credo.services.intake import ingest
from credo.services.intake.ingest import ingest_items
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.recompute import recompute

PAIRS = 3  # ingests without verdicts and with them, side by side
RUNS = 2  # runs of each recompute, the best of them reported
NEW = 0.01  # the share of the ledger a day adds, for `--changed`


def _unjudged(rulebook: Rulebook, records: list[Record]) -> SimpleNamespace:
    """What intake judged before verdicts were kept: nothing (the notices judge each record
    themselves when given no verdict)."""
    return SimpleNamespace(verdicts=[None] * len(records))


@contextmanager
def _without_verdicts() -> Iterator[None]:
    with (
        mock.patch.object(ingest, "judged_records", _unjudged),
        mock.patch.object(sql_verdicts.SqlVerdicts, "_keep_verdicts", return_value=None),
    ):
        yield


def _fresh(out: Path, name: str) -> SqliteLedgerStore:
    for leftover in out.glob(f"{name}*"):
        leftover.unlink()
    return SqliteLedgerStore(f"sqlite:///{out / name}")


def _best(store: SqliteLedgerStore, engine: PopulationEngine, **options: bool) -> float:
    rulebook = current_rulebook(store)
    now = datetime.now(UTC)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        recompute(store, engine, rulebook, as_of=TODAY, now=now, **options)
        times.append(time.perf_counter() - started)
    return min(times)


def run(report: Report, n: int, out: Path) -> None:
    path = ledger_file(out, min(n, 200_000))
    pairs: list[tuple[float, float]] = []
    for _ in range(PAIRS):
        rate = {}
        for judged in (False, True):
            store = _fresh(out, "verdicts.db")
            if judged:
                rate[judged], created = _ingest(store, path)
            else:
                with _without_verdicts():
                    rate[judged], created = _ingest(store, path)
            store.close()
        pairs.append((rate[False], rate[True]))
    for i, (without, with_verdicts) in enumerate(pairs, 1):
        name = f"ingest {created:,} records into SQLite, pair {i}"
        report.figure(f"{name}, without verdicts", without, "records/s")
        report.figure(f"{name}, with verdicts", with_verdicts, "records/s")
    ratios = sorted(w / wo for wo, w in pairs)
    report.figure("ingest with verdicts / without, lowest pair", ratios[0], "x")
    report.figure("ingest with verdicts / without, highest pair", ratios[-1], "x")
    report.ratio(
        "ingest with verdicts / without (median of pairs)", statistics.median(ratios), goal=0.9
    )

    # The last store ingested holds its verdicts.
    store = SqliteLedgerStore(f"sqlite:///{out / 'verdicts.db'}")
    today = _best(store, DuckDbEngine())
    report.figure(f"recompute of {created:,} records, today's engine (duckdb)", today, "s")
    fold = _best(store, FoldEngine())
    report.figure(f"recompute of {created:,} records, folding the kept verdicts", fold, "s")
    report.ratio("today's engine / the fold of the kept verdicts", today / fold, goal=1.0)
    rejudged = _best(store, FoldEngine(), rejudge=True)
    report.figure(f"recompute --rejudge of {created:,} records", rejudged, "s")
    report.ratio("today's engine / recompute --rejudge", today / rejudged, goal=1.0)

    # A day's new records, then only what changed written.
    rulebook = current_rulebook(store)
    items = [
        (i, {**raw, "source_ref": f"{raw['source_ref']}-new"})
        for i, raw in enumerate(_raws(path, int(created * NEW)))
    ]
    later = datetime.now(UTC) + timedelta(minutes=1)
    ingest_items(store, rulebook, items, today=TODAY, now=later, text=True)
    started = time.perf_counter()
    changed = recompute(store, FoldEngine(), rulebook, as_of=TODAY, now=later, changed=True)
    seconds = time.perf_counter() - started
    report.figure(
        f"recompute --changed after {len(items):,} new records ({changed.written:,} scores)",
        seconds,
        "s",
    )
    report.ratio("the fold of the kept verdicts / recompute --changed", fold / seconds, goal=1.0)
    store.close()


def _raws(path: Path, count: int) -> list[dict[str, object]]:
    from credo.adapters.readers import read_records

    out: list[dict[str, object]] = []
    for _, raw in read_records(path):
        if len(out) >= count:
            break
        assert isinstance(raw, dict)
        out.append(raw)
    return out
