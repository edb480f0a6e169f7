"""After `credo demo` has built its ledger: keys for every role, a few requests to try, and the
API and the portal serving it at http://127.0.0.1:8000 until interrupted, with a sign-in link
for each role."""

from __future__ import annotations

from rich.console import Console

from credo.api.server import serve
from credo.api.settings import ApiSettings
from credo.bootstrap import Context
from credo.cli.shared import cli_actor
from credo.services.access.demo_keys import demo_keys
from credo.services.access.keys import Role
from credo.services.packs.rulebook import current_rulebook
from credo.services.portal.sessions import login_code

PROVIDER = "traffic-police"


def serve_demo(out: Console, ctx: Context, subject: str, *, port: int = 8000) -> None:
    secret = ApiSettings().secret_for(ctx.settings.database_url)
    keys = demo_keys(
        ctx.access,
        secret,
        current_rulebook(ctx.store),
        subject_id=subject,
        provider_id=PROVIDER,
        now=ctx.clock(),
        actor=cli_actor(),
    )
    base = f"http://127.0.0.1:{port}"
    out.print("\n[bold]Demo keys[/] (shown once; each call of credo demo makes new ones):")
    for role, key in keys.items():
        out.print(f"  {role:<9} {key.token}", markup=False, soft_wrap=True)
    consumer, subject_key = keys[Role.CONSUMER].token, keys[Role.SUBJECT].token
    reviewer = keys[Role.REVIEWER].token
    out.print("\n[bold]Try[/]:")
    for line in (
        f"curl {base}/v1/rulebook",
        f"curl -H 'Authorization: Bearer {subject_key}' {base}/v1/subjects/{subject}/explanation",
        f"curl -H 'Authorization: Bearer {subject_key}' {base}/v1/subjects/{subject}/notices",
        f"curl -H 'Authorization: Bearer {subject_key}' -H 'Content-Type: application/json' "
        f'-d \'{{"record_id": "RECORD_ID", "reason": "…"}}\' {base}/v1/objections',
        f"curl -H 'Authorization: Bearer {reviewer}' '{base}/v1/objections?state=open'",
        f"curl -H 'Authorization: Bearer {consumer}' -H 'Content-Type: application/json' "
        f'-d \'{{"subject": "{subject}", "context": "rail.high-speed-ticket"}}\' '
        f"{base}/v1/checks",
        f"open {base}/docs",
    ):
        out.print(f"  {line}", markup=False, soft_wrap=True)
    out.print(f"\nserving {ctx.settings.database_url} at {base} (Ctrl-C stops)")
    out.print(f"\n[bold]The portal:[/] {base}/")
    out.print("Sign in as each role (each link works once, within 15 minutes):")
    for role, key in keys.items():
        code, _ = login_code(
            ctx.access,
            ctx.sessions,
            secret,
            principal=key.key.principal,
            role=role,
            now=ctx.clock(),
            actor=cli_actor(),
        )
        out.print(f"  {role:<9} {base}/login?code={code}", markup=False, soft_wrap=True)
    out.print(
        f"  (more: credo --db {ctx.settings.database_url} keys login-link --id ID)", markup=False
    )
    serve(ctx, port=port, workers=1)  # one process on the context that made the keys
