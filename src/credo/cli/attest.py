"""`credo attest`, `credo verify` and `credo keys rotate-signing`: attestations a subject can
show, checked without calling the service, and the key that signs them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from credo.cli.audit import _jwks
from credo.cli.render import print_json
from credo.cli.shared import AsOf, as_of_date, cli_actor, err, out, state


def attest(
    subject: str,
    context: Annotated[
        str | None,
        typer.Option(
            help="Attest the decision and terms in this context (e.g. rail.high-speed-ticket)."
        ),
    ] = None,
    disclose: Annotated[
        str,
        typer.Option(
            help="Also disclose, comma-separated: tier, score, lists. Default: none with "
            "--context, else the tier."
        ),
    ] = "",
    valid_days: Annotated[int, typer.Option(min=1, max=366, help="Days until it expires.")] = 30,
    qr: Annotated[
        Path | None, typer.Option(help="Also write the token as a QR code (.svg or .png).")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Issue a signed attestation about a subject (a compact JWS): only what is chosen is
    disclosed. Prints the token; its claims go to standard error."""
    from credo.domain.audit.attestations import Ask
    from credo.services.audit.attestations import issue, write_qr

    ctx = state.context()
    ask = Ask.of(context, [d.strip() for d in disclose.split(",") if d.strip()])
    issued = issue(
        ctx.store,
        ctx.signing(),
        subject,
        ask=ask,
        valid_days=valid_days,
        as_of=as_of_date(as_of, ctx),
        now=ctx.clock(),
        issuer=ctx.settings.issuer,
    )
    print_json(err, issued.claims)
    out.print(issued.token, soft_wrap=True, markup=False)
    if qr is not None:
        write_qr(issued.token, qr)
        err.print(f"QR code written to {qr}", markup=False)


def verify(
    token: Annotated[str, typer.Argument(help="The token, or a file that holds it.")],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            exists=True,
            dir_okay=False,
            help="The issuer's JWK set (its /.well-known/jwks.json); default this service's keys.",
        ),
    ] = None,
) -> None:
    """Check an attestation offline: signature, key id and expiry. Exit 0 printing its claims,
    or 1 saying what is wrong."""
    from datetime import UTC, datetime

    from credo.domain.errors import BadSignature
    from credo.services.audit.attestations import verify_token

    text = token
    if token.count(".") != 2 or "/" in token:  # not a compact JWS: a file that holds one
        path = Path(token)
        if not path.is_file():
            raise typer.BadParameter(f"{token!r} is neither a token nor a file", param_hint="TOKEN")
        text = path.read_text()
    published = _jwks(keys) if keys else _own_keys()
    try:
        claimed = verify_token(text, published, now=datetime.now(UTC))
    except BadSignature as e:
        err.print(f"does not verify: {e.detail}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    print_json(out, claimed)
    err.print("valid: signature, key and expiry hold", markup=False)


def _own_keys() -> dict[str, bytes]:
    """This service's published keys, read without opening (or creating) a ledger."""
    from credo.adapters.signing import from_secret, load_keys
    from credo.bootstrap import signing_key_path

    settings = state.settings()
    if settings.signing_key is not None:
        return from_secret(settings.signing_key.get_secret_value()).public_keys()
    path = signing_key_path(settings)
    if not path.exists():
        raise typer.BadParameter(
            f"no signing keys here ({path}): give the issuer's key set, --keys jwks.json",
            param_hint="--keys",
        )
    return load_keys(path).public_keys()


def rotate_signing() -> None:
    """Start a new signing key. The old public key stays published in /.well-known/jwks.json,
    so everything it signed still verifies; its private key is forgotten. Restart the service
    to sign with the new key. The rotation is a ledger entry naming who rotated."""
    from credo.adapters.signing import SigningKeyError, SigningKeys, rotate
    from credo.bootstrap import signing_key_path
    from credo.domain.ledger.entries import AdminEntry

    settings = state.settings()
    if settings.signing_key is not None:
        raise SigningKeyError(
            "the signing key is given by CREDO_SIGNING_KEY: rotate it there (and keep the old "
            "public key in the key file)"
        )
    path = signing_key_path(settings)
    ctx = state.context()
    retired = ctx.signing().key_id
    rotated: list[SigningKeys] = []

    def act() -> list[AdminEntry]:
        # Inside the transaction that appends the entry: a ledger that cannot be reached
        # stops the rotation before the key file changes.
        rotated.append(rotate(path))
        data = {"key_id": rotated[0].key_id, "retired": retired}
        return [AdminEntry("signing-key-rotation", cli_actor(), ctx.clock(), data)]

    ctx.store.append_admin(act)
    keys = rotated[0]
    out.print(
        f"new signing key {keys.key_id} in {path}; {len(keys.published)} public keys published",
        markup=False,
    )
