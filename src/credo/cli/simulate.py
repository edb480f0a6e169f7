"""`credo simulate`: what proposed pack versions would do to the population, before adoption."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from credo.bootstrap import ENGINES
from credo.cli.shared import AsOf, Json, err, out, parse_date, state

if TYPE_CHECKING:
    from rich.console import Console


def simulate_cmd(
    packs: Annotated[
        list[Path],
        typer.Option("--pack", help="A proposed pack version (repeat for several).", exists=True),
    ],
    as_of: AsOf = None,
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="A Parquet ledger (records*.parquet, entries*.parquet) instead of the store's.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    engine: Annotated[
        str, typer.Option(help=f"One of {', '.join(ENGINES)}, as for `credo recompute`.")
    ] = "fold",
    json: Json = False,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Also write report.html, report.zh.html (Chinese), their plots and report.json "
            "(cells under 10 subjects left out) into this folder.",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Score the population under the rulebook as adopted and with the proposed versions added,
    on the same engine and ledger, and show what changes per pack: tiers, scores, lists,
    decisions per context, by region and kind, and the records that count differently. Nothing
    is adopted and nothing is written to the store. The date defaults to today, or the day the
    last proposal takes effect if that is later."""
    from credo.bootstrap import build_engine
    from credo.cli import render
    from credo.cli.population import ledger_dir
    from credo.services.packs.simulate import (
        default_as_of,
        read_proposals,
        simulate,
        simulation_json,
    )

    ctx = state.context()
    proposals = read_proposals(packs)
    day = parse_date(as_of, lambda: default_as_of(ctx.today(), proposals))
    with err.status("simulating") as status:
        sim = simulate(
            ctx.store,
            build_engine(engine),
            proposals,
            as_of=day,
            source=ledger_dir(from_dir) if from_dir else None,
            progress=lambda stage: status.update(stage),
        )
    data = simulation_json(sim)
    if report is not None:
        from credo.web.simulation_report import write_report

        written = write_report(report, simulation_json(sim, published=True))
        err.print(f"report: {', '.join(str(p) for p in written)}", markup=False)
    if json:
        render.print_json(out, data)
    else:
        summary(out, data)


def summary(console: Console, data: dict[str, Any]) -> None:
    console.print(
        f"simulated on {data['as_of']} with {data['engine']} over {data['records']:,} records",
        markup=False,
    )
    for p in data["proposals"]:
        name = f"{p['pack']} v{p['version']} (in force from {p['effective_from']})"
        if p["already_adopted"]:
            console.print(f"{name}: already adopted as it is; it changes nothing", markup=False)
        elif p["refused"]:
            hard = p["would_harden"]
            console.print(
                f"{name}: REFUSED, `pack adopt` would not take it: it would judge "
                f"{hard['records']:,} records already in the ledger more harshly "
                "(nothing is made harsher after the fact, SPEC §3)",
                markup=False,
            )
            for h in hard["first"]:
                console.print(
                    f"  {h['record_id']} ({h['source']} {h['source_ref']}, occurred "
                    f"{h['occurred_at']}): {h['how']}",
                    markup=False,
                )
        else:
            console.print(f"{name}: `pack adopt` would take it", markup=False)
    for pack in data["packs"]:
        _pack(console, pack)


def _pack(console: Console, p: dict[str, Any]) -> None:
    from rich.table import Table

    console.print(
        f"\n{p['pack']}: v{p['version_now']} → v{p['version_proposed']}, "
        f"{p['subjects']:,} subjects",
        markup=False,
    )
    tiers = [*p["tiers"], *sorted({c["from"] or "-" for c in p["transitions"]} - set(p["tiers"]))]
    cells = {(c["from"] or "-", c["to"] or "-"): c["subjects"] for c in p["transitions"]}
    shown = [t for t in tiers if any(t in key for key in cells)]
    t = Table(title="tier now (rows) → tier as proposed (columns)", title_justify="left")
    t.add_column("")
    for tier in shown:
        t.add_column(tier, justify="right")
    for row in shown:
        t.add_row(row, *(f"{cells[(row, col)]:,}" if (row, col) in cells else "" for col in shown))
    console.print(t)
    s = p["score_change"]
    console.print(
        f"scores: {s['up']:,} up, {s['down']:,} down, {s['unchanged']:,} unchanged "
        f"(change min {s['min']}, median {s['median']}, max {s['max']})",
        markup=False,
    )
    for lst in p["lists"]:
        console.print(
            f"list {lst['list']}: {lst['opened']:,} entries opened, {lst['closed']:,} closed",
            markup=False,
        )
    for d in p["decisions"]:
        console.print(
            f"{d['context']}: {d['allow_to_deny']:,} allow→deny, {d['deny_to_allow']:,} "
            f"deny→allow, {d['terms_changed']:,} terms changed",
            markup=False,
        )
    for b in p["breakdown"]:
        where = f"{b['region']} ({b['kind']})" if b["region"] else "places under 10 subjects each"
        console.print(
            f"  {where}: {_n(b['subjects'])} subjects, {_n(b['tier_changed'])} change tier, "
            f"{_n(b['score_up'])} up, {_n(b['score_down'])} down, "
            f"{_n(b['decisions_changed'])} with a decision changed",
            markup=False,
        )
    r = p["records_changed"]
    console.print(
        f"records counting differently: {r['softened']:,} softened, {r['repealed']:,} repealed, "
        f"{r['rewarded']:,} rewarded, {r['lowered']:,} lowered, "
        f"{r['expiry_changed']:,} expiring on another day, "
        f"{r['merged']:,} merged into another record of their case or no longer",
        markup=False,
    )
    for why in r["by_rule"]:
        console.print(
            f"  {why['records']:,}: {why['rule_now'] or 'no rule'} ({why['points_now']}) → "
            f"{why['rule_proposed'] or 'no rule'} ({why['points_proposed']})",
            markup=False,
        )


def pack_propose(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    as_of: AsOf = None,
    engine: Annotated[
        str, typer.Option(help=f"One of {', '.join(ENGINES)}, as for `credo recompute`.")
    ] = "fold",
) -> None:
    """Record a proposed pack version with its simulation report (as `credo simulate`), for
    anyone to read at /rulebook/proposals before it is adopted. A version `pack adopt` would
    refuse is not proposed."""
    from credo.bootstrap import build_engine
    from credo.services.packs.propose import propose_pack_file
    from credo.services.packs.simulate import default_as_of, read_proposals, simulation_json

    ctx = state.context()
    day = parse_date(as_of, lambda: default_as_of(ctx.today(), read_proposals([file])))
    with err.status("simulating") as status:
        stored, sim = propose_pack_file(
            ctx.store,
            ctx.proposals,
            build_engine(engine),
            file,
            as_of=day,
            now=ctx.clock(),
            progress=lambda stage: status.update(stage),
        )
    summary(out, simulation_json(sim))
    out.print(
        f"\nproposal {stored.proposal_id}: {stored.pack_id} v{stored.version} recorded with its "
        f"report; the portal shows it at /rulebook/proposals",
        markup=False,
    )


def _n(value: int | None) -> str:
    return "<10" if value is None else f"{value:,}"
