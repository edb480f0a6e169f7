"""Commands and their options. Each command parses, calls one service, renders the result."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from credo.bootstrap import ENGINES, utc_today
from credo.cli import render
from credo.cli.attest import attest, rotate_signing, verify
from credo.cli.audit import audit_app
from credo.cli.due_process import decide, notices_app, object_cmd, objections, withdraw
from credo.cli.pack_diff import pack_diff
from credo.cli.serve import keys_app, serve
from credo.cli.shared import (
    AsOf,
    DbOption,
    Json,
    as_of_date,
    cli_actor,
    err,
    out,
    parse_date,
    state,
)
from credo.cli.simulate import pack_propose, simulate_cmd
from credo.domain.errors import CredoError

app = typer.Typer(
    name="credo",
    help="An accountable trust-rating system: public rulebooks, an append-only ledger, "
    "exact scores with their reasons.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
pack_app = typer.Typer(help="Check and adopt rulebooks (packs).", no_args_is_help=True)
app.add_typer(pack_app, name="pack")


@app.callback()
def _root(db: DbOption = None) -> None:
    state.db = db
    state._context = None


@pack_app.command("check")
def pack_check(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    strict: Annotated[
        bool, typer.Option("--strict", help="Count warnings as errors: exit 1 on any.")
    ] = False,
) -> None:
    """Validate rulebooks (SPEC §3 and §5); every problem names its file, line and key.
    Warnings are printed like errors and do not fail the check, unless --strict."""
    from credo.services.packs.check import check_pack_file

    failed = 0
    for path in files:
        pack, problems = check_pack_file(path, strict=strict)
        for problem in problems:
            err.print(str(problem), markup=False, soft_wrap=True)
        if pack is None:
            failed += 1
        else:
            warned = len(problems)
            said = f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""
            out.print(
                f"{path}: ok ({pack.pack} v{pack.version}, {len(pack.rules)} rules, "
                f"{len(pack.lists)} lists, {len(pack.measures)} measures{said})",
                soft_wrap=True,
            )
    if failed:
        raise typer.Exit(1)


@pack_app.command("adopt")
def pack_adopt(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Store pack versions. An adopted version is immutable. A pack with errors is refused;
    one with warnings is adopted, and its warnings are printed."""
    from credo.services.packs.adopt import adopt_pack_file

    ctx = state.context()
    for path in files:
        adopted = adopt_pack_file(
            ctx.store, path, now=ctx.clock(), actor=cli_actor(), proposals=ctx.proposals
        )
        for warning in adopted.warnings:
            err.print(str(warning), markup=False, soft_wrap=True)
        verb = "adopted" if adopted.new else "already adopted"
        carries = f"; it carries out proposal {adopted.proposal}" if adopted.proposal else ""
        out.print(
            f"{verb}: {adopted.pack.pack} v{adopted.pack.version} "
            f"(in force from {adopted.pack.effective_from}, {adopted.checksum[:19]}…){carries}"
        )


@app.command()
def ingest(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Append records from JSON Lines, JSON, CSV or Parquet files; rejects go next to each file."""
    from credo.services.intake.ingest import ingest_file
    from credo.services.packs.rulebook import current_rulebook

    ctx = state.context()
    rulebook = current_rulebook(ctx.store)
    if not rulebook.packs:
        raise CredoError("no pack is adopted yet: run `credo pack adopt FILE` first")
    any_rejected = False
    for path in files:
        with render.bytes_progress(err, path) as on_bytes:
            report = ingest_file(
                ctx.store,
                rulebook,
                path,
                today=ctx.today(),
                now=ctx.clock(),
                batch_size=ctx.settings.batch_size,
                on_bytes=on_bytes,
                schemes=ctx.settings.evidence_schemes,
            )
        render.ingest_report(out, path, report)
        any_rejected |= not report.ok
    if any_rejected:
        raise typer.Exit(1)


@app.command()
def score(subject: str, as_of: AsOf = None, json: Json = False) -> None:
    """A subject's score and tier on a date: the stored one when it still holds, else computed."""
    from credo.services.rating.scores import current_score

    day = parse_date(as_of, utc_today)
    render.score(out, current_score(state.subject_reads(), subject, as_of=day), json=json)


@app.command()
def recompute(
    as_of: AsOf = None,
    engine: Annotated[
        str,
        typer.Option(
            help=f"One of {', '.join(ENGINES)}: fold (judge once on DuckDB, then fold) here, "
            "duckdb for every stage in SQL, spark for a cluster (every stage in Spark SQL), "
            "spark-fold to judge here and fold on Spark."
        ),
    ] = "fold",
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A Parquet ledger (records*.parquet, entries*.parquet) instead of the store.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    snapshot: Annotated[
        Path | None, typer.Option(help="Also write the scores as Parquet under this folder.")
    ] = None,
    rejudge: Annotated[
        bool,
        typer.Option(
            "--rejudge",
            help="Judge the ledger again, rebuilding the judged ledger the store keeps (or, "
            "with --from, the one kept beside the files).",
        ),
    ] = False,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="Write only the scores that changed: subjects whose stored score does not "
            "hold on the date (a new record or entry, a score valid until then, a new pack "
            "version); keep the rest as their runs wrote them.",
        ),
    ] = False,
) -> None:
    """Score every subject on a date with a population engine; store the scores."""
    from credo.cli.population import run_recompute

    ctx = state.context()
    run_recompute(
        out,
        err,
        ctx,
        as_of=as_of_date(as_of, ctx),
        engine=engine,
        from_dir=from_dir,
        snapshot=snapshot,
        rejudge=rejudge,
        changed=changed,
    )


@app.command()
def explain(subject: str, as_of: AsOf = None, json: Json = False) -> None:
    """Why a score is what it is: every record's part, what was excluded and why, list entries,
    and when the score next changes."""
    from credo.services.rating.subject import explain_subject

    ctx = state.context()
    e = explain_subject(ctx.store, subject, as_of=as_of_date(as_of, ctx))
    render.explanation(out, e, json=json)


@app.command("check")
def check_cmd(subject: str, context: str, as_of: AsOf = None, json: Json = False) -> None:
    """What applies to a subject in one context (e.g. rail.high-speed-ticket), with reasons."""
    from credo.services.packs.rulebook import current_rulebook
    from credo.services.rating.checks import check_subject

    ctx = state.context()
    rulebook = current_rulebook(ctx.store)
    d = check_subject(ctx.store, rulebook, subject, context, as_of=as_of_date(as_of, ctx))
    render.decision(out, d, json=json)


@app.command()
def synth(
    out_file: Annotated[
        Path,
        typer.Option(
            "--out",
            help="A .jsonl or .parquet file of records, or a directory for Parquet records "
            "(records-00000.parquet, …) and their withdrawals, objections and decisions "
            "(entries.parquet).",
        ),
    ],
    subjects: Annotated[int, typer.Option(min=1)] = 50_000,
    records: Annotated[int, typer.Option(min=1)] = 300_000,
    seed: int = 7,
    packs: Annotated[
        list[Path] | None, typer.Option("--pack", help="Pack files (default: the shipped ones).")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write a synthetic ledger, deterministic by seed, from the packs' record types."""
    import time

    from credo.cli.demo import synthesize_to

    today = parse_date(as_of, date.today)
    started = time.perf_counter()
    try:
        written = synthesize_to(
            out_file, packs, subjects=subjects, records=records, seed=seed, today=today
        )
    except (FileExistsError, ValueError) as e:
        raise typer.BadParameter(str(e)) from None
    entries = f" and {written.entries:,} entries" if written.entries else ""
    out.print(
        f"wrote {written.records:,} records{entries} about {subjects:,} subjects to {out_file} "
        f"in {time.perf_counter() - started:.1f}s"
    )


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo ledger goes.")] = Path(
        "demo"
    ),
    subjects: Annotated[int, typer.Option(min=10)] = 50_000,
    records: Annotated[int, typer.Option(min=10)] = 300_000,
    seed: int = 7,
    serve: Annotated[
        bool, typer.Option(help="Serve the ledger at http://127.0.0.1:8000 afterwards.")
    ] = True,
    port: int = 8000,
) -> None:
    """Build a demo ledger in SQLite from a synthetic population under the shipped rulebooks,
    print what it shows, and serve it with keys for every role (--no-serve stops after the
    summary)."""
    from credo.cli.demo import run_demo

    ctx, example = run_demo(
        out, err, directory, subjects=subjects, records=records, seed=seed, db=state.db
    )
    if serve:
        from credo.cli.demo_serve import serve_demo

        serve_demo(out, ctx, example or "p-0000001", port=port)


def main() -> None:
    """Entry point: the project's own errors print as one line and exit 1; usage errors exit 2."""
    try:
        app()
    except CredoError as e:
        err.print(f"error: {e.detail}", markup=False)
        sys.exit(e.exit_code)
    finally:
        state.close()


app.command()(serve)
app.add_typer(keys_app, name="keys")
app.command("object")(object_cmd)
app.command()(objections)
app.command()(decide)
app.command()(withdraw)
app.add_typer(notices_app, name="notices")
app.add_typer(audit_app, name="audit")
app.command()(attest)
app.command()(verify)
keys_app.command("rotate-signing")(rotate_signing)
pack_app.command("diff")(pack_diff)
pack_app.command("propose")(pack_propose)
app.command("simulate")(simulate_cmd)
