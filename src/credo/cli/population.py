"""`credo recompute`: a population engine over the ledger, with a summary a person can read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from rich.console import Console

from credo.adapters.engines.protocol import LedgerSource
from credo.bootstrap import Context, build_engine
from credo.cli import render
from credo.domain.errors import CredoError
from credo.domain.rules.rulebook import Rulebook
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.recompute import RecomputeReport, recompute


def ledger_dir(directory: Path, *, rejudge: bool = False) -> LedgerSource:
    """The Parquet ledger in `directory`; an engine that folds keeps its judged ledger in
    `directory/judged`."""
    records = sorted(directory.glob("records*.parquet"))
    if not records:
        raise CredoError(f"{directory} holds no records*.parquet files")
    entries = sorted(directory.glob("entries*.parquet"))
    return LedgerSource(
        str(directory / "records*.parquet"),
        str(directory / "entries*.parquet") if entries else None,
        judged=directory / "judged",
        rejudge=rejudge,
    )


def run_recompute(
    out: Console,
    err: Console,
    ctx: Context,
    *,
    as_of: date,
    engine: str,
    from_dir: Path | None,
    snapshot: Path | None,
    write_store: bool = True,
    rejudge: bool = False,
    changed: bool = False,
) -> RecomputeReport:
    rulebook = current_rulebook(ctx.store)
    if not rulebook.packs:
        raise CredoError("no pack is adopted yet: run `credo pack adopt FILE` first")
    source = ledger_dir(from_dir, rejudge=rejudge) if from_dir else None
    with err.status("recomputing") as status:
        report = recompute(
            ctx.store,
            build_engine(engine),
            rulebook,
            as_of=as_of,
            now=ctx.clock(),
            source=source,
            snapshot_dir=snapshot,
            write_store=write_store,
            rejudge=rejudge,
            changed=changed,
            progress=lambda stage: status.update(stage),
        )
    summary(out, report, rulebook)
    return report


def summary(out: Console, report: RecomputeReport, rulebook: Rulebook) -> None:
    r = report.result
    out.print(
        f"recomputed {report.subjects:,} subjects from {r.records:,} records on {r.as_of} "
        f"in {r.seconds:.1f}s ({report.rate:,.0f} records/s)"
    )
    for pack, counts in sorted(report.tiers.items()):
        version, checksum = r.versions[pack]
        order = [t.name for t in rulebook.packs[pack].require(r.as_of).pack.tiers]
        lists: Mapping[str, int] = report.list_sizes.get(pack, {})
        render.tiers(out, f"{pack} v{version} ({checksum[:15]}…)", order, counts, lists)
    unjudged = r.unjudged.to_pylist() if r.unjudged is not None else []
    if unjudged:
        reasons = Counter(row["reason"] for row in unjudged)
        out.print(f"{len(unjudged):,} subjects could not be scored on {r.as_of}:")
        for reason, n in reasons.most_common():
            some = [row["subject_id"] for row in unjudged if row["reason"] == reason][:3]
            out.print(f"  {n:,}: {reason} (such as {', '.join(some)})", markup=False)
    if report.run_id is not None and report.changed_only:
        out.print(f"wrote the {report.written:,} scores that changed")
    if report.snapshot:
        out.print(f"snapshot: {report.snapshot}")
