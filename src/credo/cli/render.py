"""How results look in a terminal: tables by default, JSON on request."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from rich.console import Console

    from credo.domain.scoring.explanation import Explanation
    from credo.domain.scoring.measures import Decision
    from credo.services.intake.ingest import IngestReport
    from credo.services.rating.scores import ScoreView


def print_json(console: Console, value: Any) -> None:
    console.print_json(orjson.dumps(value).decode())


@contextmanager
def bytes_progress(console: Console, path: Path) -> Iterator[Callable[[int], None]]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from credo.cli.shared import real

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=real(console),
        transient=True,
    ) as progress:
        task = progress.add_task(f"ingesting {path.name}", total=path.stat().st_size)
        yield lambda done: progress.update(task, completed=done)


def ingest_report(console: Console, path: Path, r: IngestReport) -> None:
    console.print(
        f"{path}: {r.read:,} read, {r.created:,} created, {r.present:,} already present, "
        f"{len(r.rejected):,} rejected in {r.seconds:.1f}s ({r.rate:,.0f} records/s)"
    )
    if r.noticed:
        console.print(f"  {r.noticed:,} notices issued to subjects (`credo notices deliver`)")
    for rej in r.rejected[:10]:
        console.print(f"  line {rej.line}: {rej.reason}", markup=False)
    if len(r.rejected) > 10:
        console.print(f"  … {len(r.rejected) - 10:,} more")
    if r.rejects_file:
        console.print(f"  rejects written to {r.rejects_file}")


def score(console: Console, s: ScoreView, *, json: bool) -> None:
    if json:
        print_json(
            console,
            {
                "subject": s.subject_id,
                "as_of": s.as_of.isoformat(),
                "pack": s.pack,
                "pack_version": s.version,
                "pack_checksum": s.checksum,
                "score": s.score,
                "tier": s.tier,
                "computed": "stored" if s.stored else "online",
            },
        )
        return
    console.print(f"{s.subject_id}: {s.score} ({s.tier}) on {s.as_of} under {s.pack} v{s.version}")


def tiers(
    console: Console,
    title: str,
    order: list[str],
    counts: Mapping[str, int],
    lists: Mapping[str, int],
) -> None:
    """A tier distribution as counts, shares and a bar chart, then list sizes."""
    from rich.table import Table

    total = sum(counts.values())
    t = Table(title=f"{title}: {total:,} subjects", title_justify="left")
    for col, justify in (("tier", "left"), ("subjects", "right"), ("share", "right"), ("", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    top = max(counts.values(), default=0) or 1
    for tier in order:
        n = counts.get(tier, 0)
        t.add_row(tier, f"{n:,}", f"{n / max(total, 1):.1%}", "█" * round(40 * n / top))
    console.print(t)
    for list_id, n in sorted(lists.items()):
        console.print(f"  list {list_id}: {n:,} subjects")


def explanation(console: Console, e: Explanation, *, json: bool) -> None:
    from rich.table import Table

    from credo.services.rating.explanation_json import explanation_json

    data = explanation_json(e)
    if json:
        print_json(console, data)
        return
    a = e.assessment
    console.print(
        f"[bold]{a.subject_id}[/]: score [bold]{a.score}[/] tier [bold]{a.tier}[/] on {a.as_of} "
        f"— {a.version.id} v{a.version.version}, base {a.base}"
    )
    rules = {r.id: r.basis for r in a.version.pack.rules}
    t = Table(title="Counting records", title_justify="left")
    for col in ("occurred", "type", "rule", "points", "expires", "source_ref"):
        t.add_column(col, justify="right" if col == "points" else "left", no_wrap=True)
    for c in a.contributions:
        points = f"{c.points:+d}"
        if c.points != c.points_then:
            points += f" (was {c.points_then:+d})"
        if c.capped_by:
            points += f" (capped by {c.capped_by})"
        t.add_row(
            str(c.record.occurred_at),
            c.record.type,
            c.rule,
            points,
            str(c.expires_on or "never"),
            c.record.source_ref,
        )
    console.print(t)
    if a.excluded:
        x = Table(title="Not counting", title_justify="left")
        for col in ("occurred", "type", "reason", "source_ref"):
            x.add_column(col, no_wrap=True)
        for ex in a.excluded:
            reason = ex.reason + (f" into {ex.merged_into}" if ex.merged_into else "")
            x.add_row(str(ex.record.occurred_at), ex.record.type, reason, ex.record.source_ref)
        console.print(x)
    used = sorted({c.rule for c in a.contributions})
    if used:
        console.print("Rules applied, and the law they rest on:")
        for rule in used:
            console.print(
                f"  {rule}: {rules.get(rule, '(a rule of an earlier version)')}", markup=False
            )
    for entry in a.lists:
        console.print(
            f"On list {entry.list_id} ({entry.kind}) since {entry.since} until {entry.until}, "
            f"by record {entry.record.source_ref}: {entry.basis}",
            markup=False,
        )
    nc = e.next_change
    console.print(f"Next change: {nc.on} → {nc.score} ({nc.tier})" if nc else "Next change: none")


def decision(console: Console, d: Decision, *, json: bool) -> None:
    data = {
        "subject": d.subject_id,
        "context": d.context,
        "decision": d.decision,
        "terms": d.terms,
        "reasons": [
            {
                "measure": r.measure,
                "effect": r.effect,
                "trigger": r.trigger,
                "basis": r.basis,
                "objection": r.objection,
            }
            for r in d.reasons
        ],
        "as_of": d.as_of.isoformat(),
    }
    if json:
        print_json(console, data)
        return
    console.print(
        f"{d.subject_id} in {d.context} on {d.as_of}: [bold]{d.decision}[/] {d.terms or ''}"
    )
    for r in d.reasons:
        console.print(f"  {r.effect} by {r.measure} because {r.trigger} — {r.basis}", markup=False)
        console.print(f"    {r.objection}", markup=False)
