"""`credo audit verify` and `credo audit witness`: checking the ledger against its signed log,
from inside (the database) and from outside (the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from credo.cli.shared import DbOption, err, out, state

audit_app = typer.Typer(
    help="Check the ledger against its signed Merkle log.", no_args_is_help=True
)


def _jwks(path: Path) -> dict[str, bytes]:
    from credo.domain.audit.tree_heads import from_b64url

    try:
        keys = orjson.loads(path.read_bytes())["keys"]
        return {k["kid"]: from_b64url(k["x"]) for k in keys}
    except (orjson.JSONDecodeError, KeyError, TypeError) as e:
        raise typer.BadParameter(f"{path} is not a JWK set: {e}", param_hint="--keys") from None


@audit_app.command("verify")
def verify(
    db: DbOption = None,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            exists=True,
            dir_okay=False,
            help="A JWK set (as /.well-known/jwks.json serves it) to check the heads with; "
            "default the service's own keys.",
        ),
    ] = None,
) -> None:
    """Recompute every leaf from the stored entries, rebuild the tree, and check every signed
    tree head: exit 0 with the size and root, or 1 naming the first entry or head that fails."""
    from credo.services.audit.ledger import verify_ledger

    if db:
        state.db = db
    ctx = state.context()
    published = _jwks(keys) if keys else ctx.signing().public_keys()
    verdict = verify_ledger(ctx.store, published)
    if not verdict.ok:
        err.print(f"does not verify: {verdict.problem}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    root = verdict.root.hex() if verdict.root else "(empty)"
    out.print(
        f"ok: {verdict.tree_size:,} entries, root {root}; {verdict.heads:,} signed heads verify",
        soft_wrap=True,
    )


@audit_app.command("witness")
def witness_cmd(
    url: Annotated[str, typer.Option("--url", help="The service, e.g. https://credo.example.")],
    state_file: Annotated[
        Path,
        typer.Option("--state", dir_okay=False, help="Where the last head seen is kept."),
    ],
) -> None:
    """Fetch the latest signed tree head and check it grew from the last one seen (its
    consistency proof); exit 1 on a fork, a shrunk tree or a head that does not verify."""
    from credo.domain.audit.canonical import rfc3339
    from credo.services.audit.witness import WitnessAlarm, witness

    try:
        seen = witness(url, state_file)
    except WitnessAlarm as e:
        err.print(f"ALARM: {e.detail}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    head = seen.head
    if seen.previous is None:
        said = "first head seen"
    else:
        said = f"consistent with the head of size {seen.previous.tree_size} seen before"
    out.print(
        f"ok: size {head.tree_size:,}, root {head.root_hash.hex()}, "
        f"signed {rfc3339(head.timestamp)}; {said}",
        soft_wrap=True,
    )
