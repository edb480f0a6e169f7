"""Due process for operators: object on a subject's behalf, the review queue, decisions,
withdrawals, and delivering notices. The same use cases as the API."""

from __future__ import annotations

import getpass
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from credo.cli import render
from credo.cli.shared import Json, err, out, state
from credo.domain.errors import CredoError, UnknownRecord

if TYPE_CHECKING:
    from credo.domain.due_process.objections import Objection

notices_app = typer.Typer(help="Notices to subjects: the outbox and its delivery.")

Actor = Annotated[
    str | None,
    typer.Option(
        "--as", help="Who acts, for the ledger; default operator:<login name>.", show_default=False
    ),
]


def _actor(name: str | None) -> str:
    return name or f"operator:{getpass.getuser()}"


def object_cmd(
    record_id: Annotated[str, typer.Argument(help="The record contested.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is wrong.")],
    actor: Actor = None,
) -> None:
    """File an objection for the record's subject (as when it objects at a counter)."""
    from credo.services.due_process.objections import file_objection
    from credo.services.packs.rulebook import current_rulebook

    ctx = state.context()
    found = ctx.store.record(record_id)
    if found is None:
        raise UnknownRecord(f"no record {record_id!r} in the ledger")
    o = file_objection(
        ctx.store,
        ctx.feeds,
        current_rulebook(ctx.store),
        subject_id=found.record.subject.id,
        record_id=record_id,
        reason=reason,
        actor=_actor(actor),
        today=ctx.today(),
        now=ctx.clock(),
    )
    out.print(
        f"objection {o.objection_id} filed for {o.subject_id} on record {o.record_id}; "
        f"to be decided by {o.review_by}",
        markup=False,
    )


def objections(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open objections past their review period.")
    ] = False,
    every: Annotated[
        bool, typer.Option("--all", help="Decided objections too, and those closed as moot.")
    ] = False,
    json: Json = False,
) -> None:
    """The review queue, oldest first, with the days left to decide each objection."""
    from rich.table import Table

    from credo.services.due_process.objections import objection_queue

    ctx = state.context()
    today = ctx.today()
    found = objection_queue(
        ctx.store, state=None if every else "open", today=today, overdue_only=overdue
    )
    if json:
        render.print_json(out, [_objection_json(o, today) for o in found])
        return
    table = Table("objection", "subject", "record", "filed", "review by", "days left", "state")
    for o in found:
        left = o.days_left(today)
        flag = f"{left} OVERDUE" if o.overdue(today) else str(left)
        table.add_row(
            o.objection_id,
            o.subject_id,
            o.record_id,
            str(o.filed_at.date()),
            str(o.review_by),
            flag if o.outcome is None else "",
            o.state,
        )
    out.print(table)
    late = sum(o.overdue(today) for o in found)
    out.print(f"{len(found)} objection(s), {late} overdue")


def decide(
    objection_id: Annotated[str, typer.Argument(help="The objection.")],
    outcome: Annotated[Literal["upheld", "overturned"], typer.Argument(help="The decision.")],
    note: Annotated[str, typer.Option("--note", help="The reasons, told to the subject.")],
    actor: Actor = None,
) -> None:
    """Decide an objection: overturned, the record stops counting at every date."""
    from credo.services.due_process.objections import decide_objection
    from credo.services.packs.rulebook import current_rulebook

    ctx = state.context()
    o = decide_objection(
        ctx.store,
        ctx.feeds,
        current_rulebook(ctx.store),
        objection_id=objection_id,
        outcome=outcome,
        note=note,
        reviewer=_actor(actor),
        today=ctx.today(),
        now=ctx.clock(),
    )
    out.print(f"objection {o.objection_id}: {o.state}; {o.subject_id} notified", markup=False)


def withdraw(
    source: Annotated[str, typer.Argument(help="The provider that reported the record.")],
    source_ref: Annotated[str, typer.Argument(help="The provider's reference for it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn.")],
    actor: Actor = None,
) -> None:
    """Withdraw a record by its idempotency key; it never counts again, at any date, and an
    objection open on it is closed as moot (the subject is told)."""
    from credo.domain.ledger.records import record_id_for
    from credo.services.due_process.withdrawals import withdraw_record
    from credo.services.packs.rulebook import current_rulebook

    # The key as intake keeps it (NFC), however the terminal spelled it.
    source, source_ref = _reference_arg(source, "SOURCE"), _reference_arg(source_ref, "SOURCE_REF")
    ctx = state.context()
    entry = withdraw_record(
        ctx.store,
        ctx.feeds,
        current_rulebook(ctx.store),
        record_id=record_id_for(source, source_ref),
        reason=reason,
        actor=_actor(actor),
        provider=None,
        today=ctx.today(),
        now=ctx.clock(),
    )
    out.print(f"record {entry.record_id} ({source}, {source_ref}) withdrawn", markup=False)


def _reference_arg(value: str, name: str) -> str:
    from credo.domain.ledger.references import NotAReference, reference

    try:
        return reference(value)
    except NotAReference as e:
        raise typer.BadParameter(str(e), param_hint=name) from None


@notices_app.command("deliver")
def notices_deliver(
    log: Annotated[
        Path | None, typer.Option("--log", help="Append notices as JSON lines to this file.")
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each notice as JSON to this URL.")
    ] = None,
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            min=1,
            help="Keep delivering, every so many seconds (Ctrl-C stops); a failure is retried.",
        ),
    ] = None,
) -> None:
    """Deliver the notices not yet delivered on this channel, in order; a failure stops the
    run, and the next run starts again from there."""
    if (log is None) == (webhook is None):
        raise typer.BadParameter("give exactly one of --log FILE or --webhook URL")
    from credo.bootstrap import build_notifier, webhook_secret_path
    from credo.services.due_process.notices import deliver_notices

    ctx = state.context()
    notifier = build_notifier(ctx.settings, log=log, webhook=webhook)
    if webhook is not None and ctx.settings.webhook_secret is None:
        path = webhook_secret_path(ctx.settings)
        err.print(f"signing with the webhook secret in {path} (its receiver checks with it)")
    while True:
        done = deliver_notices(ctx.store, ctx.feeds, notifier, now=ctx.clock())
        out.print(
            f"{done.delivered:,} notice(s) delivered to {notifier.channel} "
            f"(position {done.position})",
            markup=False,
        )
        if every is None:
            break
        if done.error:
            err.print(f"delivery stopped: {done.error}; trying again in {every:g}s", markup=False)
        time.sleep(every)
    if done.error:
        raise CredoError(f"delivery stopped: {done.error}; the next run starts again there")


def _objection_json(o: Objection, today: date) -> dict[str, object]:
    return {
        "objection_id": o.objection_id,
        "record_id": o.record_id,
        "subject_id": o.subject_id,
        "reason": o.reason,
        "filed_at": o.filed_at.isoformat(),
        "review_by": o.review_by.isoformat(),
        "days_left": o.days_left(today),
        "overdue": o.overdue(today),
        "state": o.state,
        "note": o.note,
        "decided_by": o.decided_by,
    }
