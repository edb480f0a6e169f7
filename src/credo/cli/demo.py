"""`credo demo` and `credo synth`: a synthetic population under the shipped rulebooks."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from rich.console import Console

from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.writers import Written, write_ledger_chunks
from credo.bootstrap import Context, bootstrap
from credo.cli import render
from credo.cli.population import run_recompute
from credo.cli.shared import cli_actor
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.services.intake.ingest import ingest_file
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.check import load_pack
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.subject import explain_subject
from credo.services.synth.population import SynthSpec, synthesize_chunks
from credo.settings import Settings
from credo.shipped import shipped_packs


def synthesize_to(
    out: Path,
    packs: list[Path] | None,
    *,
    subjects: int,
    records: int,
    seed: int,
    today: date,
) -> Written:
    """A synthetic ledger to `out`: a .jsonl or .parquet file of records, or a directory of
    Parquet records and entries (streamed chunk by chunk, for ledgers of any size)."""
    rulebook = Rulebook(PackVersion(load_pack(p)) for p in (packs or shipped_packs()))
    chunks = synthesize_chunks(rulebook, SynthSpec(subjects, records, seed, today))
    return write_ledger_chunks(((c.records, c.entries) for c in chunks), out)


def run_demo(
    out: Console,
    err: Console,
    directory: Path,
    *,
    subjects: int,
    records: int,
    seed: int,
    db: str | None,
) -> tuple[Context, str | None]:
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    url = db or f"sqlite:///{directory / 'credo.db'}"
    ctx = bootstrap(Settings(database_url=url))
    today = ctx.today()
    for path in shipped_packs():
        adopted = adopt_pack_file(ctx.store, path, now=ctx.clock(), actor=cli_actor())
        out.print(
            f"pack {adopted.pack.pack} v{adopted.pack.version} "
            f"({'adopted' if adopted.new else 'already adopted'})"
        )
    ledger = directory / "ledger.jsonl"
    out.print(f"synthesising {records:,} records about {subjects:,} subjects (seed {seed})…")
    synthesize_to(ledger, None, subjects=subjects, records=records, seed=seed, today=today)
    rulebook = current_rulebook(ctx.store)
    with render.bytes_progress(err, ledger) as on_bytes:
        report = ingest_file(
            ctx.store, rulebook, ledger, today=today, now=ctx.clock(), on_bytes=on_bytes
        )
    render.ingest_report(out, ledger, report)
    run_recompute(out, err, ctx, as_of=today, engine="duckdb", from_dir=None, snapshot=None)
    example = _example_subject(ctx.store, rulebook)
    if example:
        out.print(f"\n[bold]Why[/] {example} has the score it has (credo explain {example}):")
        render.explanation(out, explain_subject(ctx.store, example, as_of=today), json=False)
    out.print(f"\ndone in {time.perf_counter() - started:.1f}s; the ledger is {url}")
    out.print(f"try: credo --db {url} explain {example or 'ID'}")
    return ctx, example


def _example_subject(store: LedgerStore, rulebook: Rulebook) -> str | None:
    """A person with a handful of records, on a list if possible: enough to show what an
    explanation holds."""
    listed = {lst.admit.record for h in rulebook.packs.values() for lst in h.latest().pack.lists}
    fallback = None
    for batch in store.iter_records(batch_size=5_000):
        by_subject: dict[str, list[str]] = {}
        for lr in batch:
            if lr.record.subject.kind == "person":
                by_subject.setdefault(lr.record.subject.id, []).append(lr.record.type)
        for subject, types in by_subject.items():
            if 4 <= len(types) <= 10:
                if listed & set(types):
                    return subject
                fallback = fallback or subject
    return fallback
