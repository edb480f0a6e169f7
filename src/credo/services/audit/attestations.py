"""Attestations a subject can show (SPEC §9): issued as a compact JWS signed with the service's
Ed25519 key (RFC 8037, through joserfc), checked offline against a JWK set, or online, where
the service also says whether the statement still holds today."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import segno
from joserfc import jws
from joserfc.errors import BadSignatureError, DecodeError, JoseError
from joserfc.jwk import OKPKey

from credo.adapters.signing import SigningKeys
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.audit.attestations import (
    STATEMENT_CLAIMS,
    Ask,
    as_of_of,
    ask_of,
    claims,
    statement,
)
from credo.domain.audit.canonical import canonical_json
from credo.domain.audit.tree_heads import b64url
from credo.domain.errors import BadSignature, CredoError
from credo.domain.scoring.score import assess
from credo.services.due_process.objections import objection_windows
from credo.services.rating.subject import subject_ledger

ALG = "Ed25519"  # RFC 9864's name; "EdDSA" is deprecated
MAX_VALID_DAYS = 366
_LOOKAHEAD = 400  # days an online check walks forward to find when a statement stopped holding


@dataclass(frozen=True, slots=True)
class Issued:
    token: str
    claims: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Standing:
    """An online verdict: the claims, and whether what they state still holds today."""

    claims: dict[str, Any]
    holds: bool
    superseded_since: date | None
    today: date

    @property
    def verdict(self) -> str:
        then = self.claims["as_of"]
        if self.holds:
            return f"valid: true on {then}, and still holds on {self.today}"
        return f"valid, but superseded: true on {then}, superseded since {self.superseded_since}"


def issue(
    store: LedgerStore,
    keys: SigningKeys,
    subject_id: str,
    *,
    ask: Ask,
    valid_days: int,
    as_of: date,
    now: datetime,
    issuer: str,
) -> Issued:
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise CredoError(f"valid days must be from 1 to {MAX_VALID_DAYS}, not {valid_days}")
    rulebook, records = subject_ledger(store, subject_id)
    a = assess(subject_id, rulebook, records, as_of)
    said = statement(a, ask, objection_windows(store, rulebook))
    head = store.signed_head()
    assert head is not None  # the subject's records are in the log
    body = claims(
        issuer=issuer,
        a=a,
        said=said,
        head=head,
        issued=now,
        expires=now + timedelta(days=valid_days),
    )
    header = {"alg": ALG, "kid": keys.key_id, "typ": "JWT"}
    key = OKPKey.import_key(keys.private_key)
    token = jws.serialize_compact(header, canonical_json(body), key, algorithms=[ALG])
    return Issued(token, body)


def verify_token(token: str, public_keys: Mapping[str, bytes], *, now: datetime) -> dict[str, Any]:
    """The claims of a valid attestation; raises `BadSignature` saying what is wrong."""
    text = token.strip()
    try:
        header = jws.extract_compact(text.encode()).protected
    except (DecodeError, JoseError, ValueError) as e:
        raise BadSignature(f"not an attestation (a compact JWS): {e}") from None
    if header.get("alg") != ALG:
        raise BadSignature(f"signed with {header.get('alg')!r}, not {ALG}")
    kid = str(header.get("kid", ""))
    raw = public_keys.get(kid)
    if raw is None:
        raise BadSignature(f"signed by an unknown key {kid[:16] or '(none)'}…: not in the key set")
    key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)})
    try:
        payload = jws.deserialize_compact(text, key, algorithms=[ALG]).payload
    except BadSignatureError:
        raise BadSignature(
            "the signature does not match: the token was changed after it was signed, or it "
            f"was signed by another key than {kid[:16]}…"
        ) from None
    claimed: dict[str, Any] = orjson.loads(payload)
    expires = datetime.fromtimestamp(int(claimed["exp"]), UTC)
    if expires <= now:
        raise BadSignature(f"expired at {expires:%Y-%m-%d %H:%M} UTC")
    return claimed


def verify_online(
    store: LedgerStore, keys: SigningKeys, token: str, *, now: datetime, today: date
) -> Standing:
    """As `verify_token` with the service's keys, and whether the statement holds today:
    judged again on its own day (a record entered since may have changed even that), then
    day by day to today."""
    claimed = verify_token(token, keys.public_keys(), now=now)
    stated = {k: claimed[k] for k in STATEMENT_CLAIMS if k in claimed}
    ask = ask_of(claimed)
    rulebook, records = subject_ledger(store, str(claimed["sub"]))
    windows = objection_windows(store, rulebook)
    day = as_of_of(claimed)
    last = min(today, day + timedelta(days=_LOOKAHEAD))
    while day <= last:
        now_said = statement(assess(str(claimed["sub"]), rulebook, records, day), ask, windows)
        if canonical_json(now_said) != canonical_json(stated):
            return Standing(claimed, False, day, today)
        day += timedelta(days=1)
    return Standing(claimed, True, None, today)


def qr_code(token: str) -> segno.QRCode:
    return segno.make(token, error="l", micro=False)


def qr_svg(token: str) -> str:
    out = io.BytesIO()
    qr_code(token).save(out, kind="svg", scale=4, border=4, xmldecl=False)
    return out.getvalue().decode()


def write_qr(token: str, path: Path) -> None:
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("svg", "png"):
        raise CredoError(f"a QR code is written as .svg or .png, not {path.name}")
    qr_code(token).save(str(path), kind=kind, scale=6, border=4)
