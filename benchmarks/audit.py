"""The audit log's cost: ingest into SQLite with the log beside ingest without it (the same
records, the same run), and `audit verify` of the whole ledger beside a plain read of it."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from sqlalchemy import event

from benchmarks.ingest import _ingest, ledger_file
from benchmarks.report import Report
from credo.adapters.signing import generated
from credo.adapters.stores.sql import ledger as sql
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.services.audit.ledger import consistency, inclusion, verify_ledger

PAIRS = 3  # ingests without the log and with it, side by side
VERIFIES = 2  # runs of `audit verify`, the best of them reported


@contextmanager
def _without_log() -> Iterator[None]:
    """The store as it was before the log: no leaf hashed, no leaf or head written."""
    with (
        mock.patch.object(sql.SqlLedgerStore, "_grow", return_value=None),
        mock.patch.object(sql, "hash_of", return_value=b""),
    ):
        yield


def _fresh(out: Path, name: str) -> str:
    for leftover in out.glob(f"{name}*"):
        leftover.unlink()
    return f"sqlite:///{out / name}"


def run(report: Report, n: int, out: Path) -> None:
    """The ratio on up to 200,000 records, in three pairs; then `audit verify` of a ledger of
    `n` records (with their notices, about twice as many entries)."""
    path = ledger_file(out, min(n, 200_000))
    keys = generated()
    pairs: list[tuple[float, float]] = []
    for _ in range(PAIRS):
        # Each pair ingests without the log and then with it, minutes apart at most: the
        # machine's drift over a run (other work, the page cache) moves both alike, and the
        # median of the pairs' ratios is not decided by one slow ingest.
        rate = {}
        for logged in (False, True):
            store = SqliteLedgerStore(_fresh(out, "audit.db"), signer=keys)
            if logged:
                rate[logged], created = _ingest(store, path)
            else:
                with _without_log():
                    rate[logged], created = _ingest(store, path)
            store.close()
        pairs.append((rate[False], rate[True]))
    for i, (without, with_log) in enumerate(pairs, 1):
        report.figure(
            f"ingest {created:,} records into SQLite, pair {i}, without the log",
            without,
            "records/s",
        )
        report.figure(
            f"ingest {created:,} records into SQLite, pair {i}, with the log", with_log, "records/s"
        )
    ratios = sorted(with_log / without for without, with_log in pairs)
    report.figure("ingest with the log / without, lowest pair", ratios[0], "x")
    report.figure("ingest with the log / without, highest pair", ratios[-1], "x")
    report.ratio(
        "ingest with the log / without (median of pairs)", statistics.median(ratios), goal=0.9
    )

    store = SqliteLedgerStore(_fresh(out, "audit.db"), signer=keys)
    _ingest(store, ledger_file(out, n))
    started = time.perf_counter()
    scanned = sum(len(batch) for batch in store.iter_records())
    read = time.perf_counter() - started
    report.figure(f"read {scanned:,} records (iter_records)", read, "s")
    # The best of VERIFIES, as the other benchmarks take their engines: on two cores shared
    # with nothing else, one run and the next differ by up to a third.
    times = []
    for i in range(1, VERIFIES + 1):
        started = time.perf_counter()
        verdict = verify_ledger(store, keys.public_keys())
        times.append(time.perf_counter() - started)
        assert verdict.ok, verdict.problem
        report.figure(f"audit verify of {verdict.tree_size:,} entries, run {i}", times[-1], "s")
    seconds = min(times)
    per_million = seconds * 1_000_000 / max(verdict.tree_size, 1)
    note = "" if verdict.tree_size >= 1_000_000 else " (scaled from a smaller ledger)"
    report.figure(f"audit verify per 1 M entries, best run{note}", per_million, "s")
    report.ratio("10 s / audit verify of 1 M entries", 10 / per_million, goal=1.0)
    report.ratio("a plain read of the records / audit verify", read / seconds, goal=0.1)
    _proofs(report, store, verdict.tree_size)
    store.close()


def _proofs(report: Report, store: SqliteLedgerStore, size: int) -> None:
    """Proofs at the latest head read stored subtrees: O(log n) queries of at most 8 rows each,
    never every leaf. Their time, and how many queries each made."""
    head = store.signed_head()
    assert head is not None
    firsts = [h.tree_size for h in store.signed_heads()][:-1] or [head.tree_size]
    indexes = [i * (head.tree_size // 100) for i in range(100)]
    queries = 0

    def counted(*_: object) -> None:
        nonlocal queries
        queries += 1

    event.listen(store.engine, "before_cursor_execute", counted)
    started = time.perf_counter()
    for index in indexes:
        inclusion(store, index, head.tree_size)
    for first in firsts:
        consistency(store, first, head.tree_size)
    seconds = time.perf_counter() - started
    event.remove(store.engine, "before_cursor_execute", counted)
    proofs = len(indexes) + len(firsts)
    report.figure(f"a proof in a tree of {size:,} entries", seconds * 1000 / proofs, "ms")
    report.figure(
        f"queries per proof (log2 of the size: {size.bit_length()})", queries / proofs, "queries"
    )
