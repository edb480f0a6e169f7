"""`credo serve` and `credo keys …`: the HTTP API and the keys that open it."""

from __future__ import annotations

from typing import Annotated

import typer

from credo.cli.render import print_json
from credo.cli.shared import cli_actor, err, out, state

keys_app = typer.Typer(help="Make, list and revoke API keys.", no_args_is_help=True)

Listed = Annotated[
    list[str] | None,
    typer.Option(help="Repeat, or separate with commas."),
]


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _secret() -> bytes:
    from credo.api.settings import ApiSettings

    return ApiSettings().secret_for(state.context().settings.database_url)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Server processes (default CREDO_API_WORKERS, 2).")
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI at /openapi.json, interactive docs at /docs)."""
    from credo.api.server import serve as run
    from credo.api.settings import ApiSettings

    settings = ApiSettings()
    run(
        state.context(),
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers or settings.api_workers,
    )


@keys_app.command("create")
def keys_create(
    role: Annotated[
        str,
        typer.Option(help="provider, consumer, subject, reviewer or admin.", show_default=False),
    ],
    id: Annotated[
        str,
        typer.Option(
            "--id",
            help="Who holds it: a provider's source id, a subject's id, a consumer's id.",
            show_default=False,
        ),
    ],
    types: Listed = None,
    contexts: Listed = None,
    rate: Annotated[
        float | None, typer.Option(help="Requests per second (default CREDO_API_RATE).")
    ] = None,
) -> None:
    """Make a key and print its token, once: only a hash of it is kept. Providers name the
    record types they submit (--types), consumers the contexts they check in (--contexts)."""
    from credo.services.access.keys import Role, create_key

    if role not in Role.__members__.values():
        raise typer.BadParameter(f"{role!r} is not one of {', '.join(Role)}", param_hint="--role")
    ctx = state.context()
    made = create_key(
        ctx.access,
        _secret(),
        role=Role(role),
        principal=id,
        types=_split(types),
        contexts=_split(contexts),
        rate=rate,
        now=ctx.clock(),
        actor=cli_actor(),
    )
    scopes = f" for {', '.join(made.key.scopes)}" if made.key.scopes else ""
    err.print(f"key {made.key.key_id}: {role} {id}{scopes}", markup=False)
    err.print("the token is shown this once; keep it now (only its hash is stored):")
    out.print(made.token, markup=False, soft_wrap=True)


@keys_app.command("login-link")
def keys_login_link(
    id: Annotated[
        str,
        typer.Option("--id", help="Who signs in: the id a key was made for.", show_default=False),
    ],
    role: Annotated[
        str | None, typer.Option(help="Which of their keys, if they hold keys of several roles.")
    ] = None,
) -> None:
    """Print a one-time link that signs into the portal with the newest live key of --id;
    valid 15 minutes, usable once. CREDO_WEB_BASE_URL says where the portal is."""
    from credo.services.access.keys import Role
    from credo.services.portal.sessions import CODE_MINUTES, login_code
    from credo.web.settings import WebSettings

    if role is not None and role not in Role.__members__.values():
        raise typer.BadParameter(f"{role!r} is not one of {', '.join(Role)}", param_hint="--role")
    ctx = state.context()
    code, caller = login_code(
        ctx.access,
        ctx.sessions,
        _secret(),
        principal=id,
        role=Role(role) if role else None,
        now=ctx.clock(),
        actor=cli_actor(),
    )
    base = WebSettings().web_base_url.rstrip("/")
    err.print(
        f"sign-in link for {caller.role} {caller.principal} (key {caller.key_id}), "
        f"valid {CODE_MINUTES} minutes, once:",
        markup=False,
    )
    out.print(f"{base}/login?code={code}", markup=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every key, revoked ones included (never a token)."""
    from rich.table import Table

    from credo.services.access.keys import list_keys

    keys = list_keys(state.context().access)
    if json:
        print_json(
            out,
            [
                {
                    "key_id": k.key_id,
                    "role": k.role,
                    "id": k.principal,
                    "scopes": list(k.scopes),
                    "rate": k.rate,
                    "created_at": k.created_at.isoformat(),
                    "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                }
                for k in keys
            ],
        )
        return
    table = Table("key", "role", "id", "types or contexts", "created", "revoked")
    for k in keys:
        table.add_row(
            k.key_id,
            k.role,
            k.principal,
            ", ".join(k.scopes),
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, e.g. k-1a2b3c4d5e6f.")],
) -> None:
    """Revoke a key. Servers stop accepting it within CREDO_API_KEY_CACHE_SECONDS."""
    from credo.services.access.keys import revoke_key

    ctx = state.context()
    key = revoke_key(ctx.access, key_id, now=ctx.clock(), actor=cli_actor())
    when = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "?"
    out.print(f"key {key.key_id} ({key.role} {key.principal}) revoked at {when}")
