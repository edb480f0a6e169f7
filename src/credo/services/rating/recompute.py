"""`credo recompute`: everyone's score on one date by a population engine, written into the
store (replacing the materialised scores) and as a Parquet snapshot."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq

from credo.adapters.engines.protocol import (
    FoldingEngine,
    LedgerSource,
    PopulationEngine,
    Progress,
    Recomputed,
)
from credo.adapters.engines.verdict_ledger import judged_of_verdicts
from credo.adapters.stores.protocol import LedgerStore, ListMark, ScoreRun, StoredScore
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.verdicts import judge_for
from credo.services.rating import verdicts


@dataclass
class RecomputeReport:
    result: Recomputed
    run_id: int | None
    snapshot: Path | None
    tiers: dict[str, Counter[str]] = field(default_factory=dict)
    list_sizes: dict[str, Counter[str]] = field(default_factory=dict)  # pack → list → subjects
    written: int = 0  # scores written into the store
    changed_only: bool = False  # only those that changed (`recompute(changed=True)`)

    @property
    def subjects(self) -> int:
        return int(self.result.scores.num_rows)

    @property
    def rate(self) -> float:
        return self.result.records / self.result.seconds if self.result.seconds else 0.0


def recompute(
    store: LedgerStore,
    engine: PopulationEngine,
    rulebook: Rulebook,
    *,
    as_of: date,
    now: datetime,
    source: LedgerSource | None = None,
    snapshot_dir: Path | None = None,
    write_store: bool = True,
    rejudge: bool = False,
    changed: bool = False,
    progress: Progress | None = None,
) -> RecomputeReport:
    """Everyone's score on `as_of`. From the store (no `source`), an engine that folds folds
    the store's verdicts, judging the whole ledger again first only when asked (`rejudge`) or
    when the store cannot say they are all by `rulebook`; any other engine reads the ledger as
    exported. The scores replace every stored score; with `changed`, only those of subjects
    whose stored score does not hold on `as_of` (their ledger changed, which forgets it, or
    it was valid until then, or the rulebook changed since) are written, by a run of their
    own, and the rest are kept as their runs wrote them."""
    if source is None and isinstance(engine, FoldingEngine):
        result = _fold_store(store, engine, rulebook, as_of, rejudge, progress)
    else:
        if source is None:
            if progress:
                progress("exporting the ledger")
            records, entries = store.export()
            source = LedgerSource(records, entries)
        result = engine.recompute(source, rulebook, as_of, progress=progress)
    run_id = None
    written = 0
    if write_store:
        if progress:
            progress("writing scores")
        wanted = _changed(store, result, rulebook) if changed else None
        written = result.scores.num_rows if wanted is None else len(wanted)
        run = ScoreRun(
            as_of, engine.name, result.versions, written, result.records, result.seconds, now
        )
        scores = _stored(result, now)
        if wanted is None:
            run_id = store.replace_scores(run, scores)
        else:
            run_id = store.add_scores(run, (s for s in scores if s.subject_id in wanted))
    snapshot = _snapshot(result, snapshot_dir) if snapshot_dir else None
    report = RecomputeReport(result, run_id, snapshot, written=written, changed_only=changed)
    for pack, tier in zip(
        result.scores.column("pack").to_pylist(),
        result.scores.column("tier").to_pylist(),
        strict=True,
    ):
        report.tiers.setdefault(pack, Counter())[tier] += 1
    sizes = result.entries.group_by(["pack", "list_id"]).aggregate(
        [("subject_id", "count_distinct")]
    )
    for row in sizes.to_pylist():
        report.list_sizes.setdefault(row["pack"], Counter())[row["list_id"]] = row[
            "subject_id_count_distinct"
        ]
    return report


def _changed(store: LedgerStore, result: Recomputed, rulebook: Rulebook) -> set[str]:
    """The subjects scored whose stored score does not hold on the date by the version the
    run judged them by (as `scores.stored_if_current` decides for one subject)."""
    holding = store.holding_scores(result.as_of, rulebook.revised_at)
    out: set[str] = set()
    columns = (result.scores.column(c).to_pylist() for c in ("subject_id", "pack", "version"))
    for sid, pack, version in zip(*columns, strict=True):
        if holding.get(sid) != (pack, version, result.versions[pack][1]):
            out.add(sid)
    return out


def _fold_store(
    store: LedgerStore,
    engine: FoldingEngine,
    rulebook: Rulebook,
    as_of: date,
    rejudge: bool,
    progress: Progress | None,
) -> Recomputed:
    tell = progress or (lambda _stage: None)
    started = time.perf_counter()
    if rejudge or store.verdicts_key() != judge_for(rulebook).key:
        tell("judging every record")
        verdicts.rejudge(store, rulebook)
    tell("reading the judged ledger")
    judged = judged_of_verdicts(store.verdict_table(), rulebook)
    result = engine.fold(judged, rulebook, as_of, False, tell)
    result.seconds = time.perf_counter() - started
    return result


def _stored(result: Recomputed, now: datetime) -> Iterator[StoredScore]:
    marks: dict[str, list[ListMark]] = {}
    for e in result.entries.to_pylist():
        marks.setdefault(e["subject_id"], []).append(
            ListMark(e["list_id"], e["record_id"], e["since"], e["until"])
        )
    for batch in result.scores.to_batches(max_chunksize=50_000):
        for row in batch.to_pylist():
            version, checksum = result.versions[row["pack"]]
            yield StoredScore(
                row["subject_id"],
                row["pack"],
                version,
                checksum,
                result.as_of,
                row["score"],
                row["tier"],
                tuple(marks.get(row["subject_id"], ())),
                row["valid_until"],
                now,
            )


def _snapshot(result: Recomputed, directory: Path) -> Path:
    out = directory / f"scores-{result.as_of.isoformat()}"
    out.mkdir(parents=True, exist_ok=True)
    stamp = {
        b"as_of": result.as_of.isoformat().encode(),
        b"versions": repr(result.versions).encode(),
    }
    scores = result.scores.replace_schema_metadata(stamp)
    pq.write_table(scores, out / "scores.parquet", compression="zstd")
    pq.write_table(result.entries, out / "list_entries.parquet", compression="zstd")
    if result.unjudged is not None:
        pq.write_table(result.unjudged, out / "unjudged.parquet", compression="zstd")
    return out
