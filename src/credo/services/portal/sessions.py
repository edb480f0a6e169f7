"""Signing in to the portal: an API key, or a one-time code from `credo keys login-link`,
is exchanged once for a session; the browser holds only the session's token, in a cookie.

A session stands for the key it was opened with: a revoked key ends its sessions at once, and
a session never outlives its expiry. Tokens are stored as keyed digests, as keys are.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from credo.adapters.stores.access import AccessStore
from credo.adapters.stores.sessions import LoginCode, SessionStore, WebSession
from credo.domain.audit.canonical import rfc3339
from credo.domain.errors import CredoError
from credo.services.access.keys import Caller, Role, authenticate, caller_of, digest, key_entry

CODE_MINUTES = 15


class NoKeyToSignIn(CredoError):
    status = 404
    title = "Not found"


@dataclass(frozen=True, slots=True)
class Opened:
    token: str  # for the cookie, and nowhere else
    caller: Caller
    expires_at: datetime


def _digest(secret: bytes, purpose: str, token: str) -> str:
    # Another purpose in the digest: a session token is no login code, and neither is a key.
    return digest(secret, f"{purpose}:{token}")


def open_with_key(
    access: AccessStore,
    sessions: SessionStore,
    secret: bytes,
    *,
    key: str,
    now: datetime,
    minutes: int,
) -> Opened | None:
    """A session for the holder of an API key; None for an unknown or revoked key."""
    caller = authenticate(access, secret, key.strip())
    if caller is None:
        return None
    return _open(sessions, secret, digest(secret, key.strip()), caller, now, minutes)


def open_with_code(
    access: AccessStore,
    sessions: SessionStore,
    secret: bytes,
    *,
    code: str,
    now: datetime,
    minutes: int,
) -> Opened | None:
    """A session for a one-time code, used up by this; None when it is unknown, used or
    older than `CODE_MINUTES`, or its key was revoked since."""
    key_digest = sessions.use_code(_digest(secret, "code", code), at=now)
    if key_digest is None:
        return None
    caller = caller_of(access.key_by_digest(key_digest))
    if caller is None:
        return None
    return _open(sessions, secret, key_digest, caller, now, minutes)


def _open(
    sessions: SessionStore,
    secret: bytes,
    key_digest: str,
    caller: Caller,
    now: datetime,
    minutes: int,
) -> Opened:
    # Signing in is rare beside reading pages: the moment to drop what has expired.
    sessions.forget_expired(before=now - timedelta(days=1))
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=minutes)
    sessions.add_session(WebSession(_digest(secret, "session", token), key_digest, now, expires))
    return Opened(token, caller, expires)


def session_caller(
    access: AccessStore, sessions: SessionStore, secret: bytes, *, token: str, now: datetime
) -> Caller | None:
    """Who a session cookie stands for now; None if it is unknown, ended, expired, or its
    key was revoked."""
    held = sessions.session(_digest(secret, "session", token))
    if held is None or not held.live(now):
        return None
    return caller_of(access.key_by_digest(held.key_digest))


def end_session(sessions: SessionStore, secret: bytes, *, token: str, now: datetime) -> None:
    sessions.end_session(_digest(secret, "session", token), at=now)


def login_code(
    access: AccessStore,
    sessions: SessionStore,
    secret: bytes,
    *,
    principal: str,
    role: Role | None,
    now: datetime,
    actor: str,
) -> tuple[str, Caller]:
    """A one-time code for the newest live key `principal` holds (of `role`, if given),
    valid `CODE_MINUTES`, issued by `actor`: a ledger entry naming the key and when the code
    expires, never the code. Only its digest is kept."""
    held = [
        k
        for k in access.all_keys()
        if k.principal == principal and k.revoked_at is None and (role is None or k.role == role)
    ]
    if not held:
        what = f"{role} key" if role else "key"
        raise NoKeyToSignIn(
            f"{principal!r} holds no live {what}: make one with `credo keys create` first"
        )
    key = held[-1]
    caller = caller_of(key)
    assert caller is not None
    code = secrets.token_urlsafe(24)
    expires = now + timedelta(minutes=CODE_MINUTES)
    sessions.add_code(
        LoginCode(_digest(secret, "code", code), key.digest, now, expires),
        audit=key_entry("login-link", key, actor=actor, at=now, expires_at=rfc3339(expires)),
    )
    return code, caller
