"""API keys: created with a role and a principal, shown once, stored only as a keyed hash.

A token is 32 random bytes; what the store keeps is HMAC-SHA256(server secret, token), so a
copy of the database alone neither reveals a token nor lets anyone mint one. Making and
revoking a key are ledger entries naming their actor (an administrator's key id, or
`cli:<user>`), written with the key in one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from credo.adapters.stores.access import AccessStore, StoredKey
from credo.adapters.stores.protocol import AuditLogStore
from credo.domain.errors import CredoError
from credo.domain.ledger.entries import AdminEntry, AdminKind, about_key
from credo.domain.ledger.ids import NAME_PATTERN
from credo.domain.ledger.references import NotAReference, reference
from credo.domain.ledger.subjects import is_valid_id

TOKEN_PREFIX = "credo_"
_SCOPE = re.compile(NAME_PATTERN)


class Role(StrEnum):
    PROVIDER = "provider"
    CONSUMER = "consumer"
    SUBJECT = "subject"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class InvalidKeyRequest(CredoError):
    status = 422
    title = "Invalid key request"


class UnknownKey(CredoError):
    status = 404
    title = "Not found"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the role and principal a key carries, and what it is registered for."""

    key_id: str
    role: Role
    principal: str
    scopes: frozenset[str]
    rate: float | None


@dataclass(frozen=True, slots=True)
class NewKey:
    token: str
    key: StoredKey


MIN_RATE, MAX_RATE = 0.1, 1_000_000
"""The range of a key's rate limit, in requests per second."""


def digest(secret: bytes, token: str) -> str:
    return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()


def create_key(
    access: AccessStore,
    secret: bytes,
    *,
    role: Role,
    principal: str,
    types: list[str] | None = None,
    contexts: list[str] | None = None,
    rate: float | None = None,
    now: datetime,
    actor: str,
) -> NewKey:
    """A new key, made by `actor`. The token is in the result and nowhere else: it cannot be
    shown again, and the ledger's entry for it holds the key's id, never the token."""
    # A provider's principal is the `source` of its records, so every principal follows the
    # rule of references and is kept in NFC, the form records are.
    try:
        principal = reference(principal)
    except NotAReference as e:
        raise InvalidKeyRequest(f"id: {e}") from None
    if role is Role.SUBJECT and not is_valid_id(principal):
        raise InvalidKeyRequest(f"{principal!r} is not a subject id (SPEC §1)")
    scopes = _scopes(role, sorted(set(types or [])), sorted(set(contexts or [])))
    if rate is not None and not MIN_RATE <= rate <= MAX_RATE:
        raise InvalidKeyRequest(
            f"a rate limit is between {MIN_RATE} and {MAX_RATE:,} requests per second: below, "
            "a key could make almost no request; above, it limits nothing"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    key = StoredKey(
        key_id="k-" + secrets.token_hex(6),
        digest=digest(secret, token),
        role=role.value,
        principal=principal,
        scopes=tuple(scopes),
        rate=rate,
        created_at=now,
    )
    access.add_key(key, audit=key_entry("key", key, actor=actor, at=now, rate=rate))
    return NewKey(token, key)


def key_entry(
    kind: AdminKind, key: StoredKey, *, actor: str, at: datetime, **more: Any
) -> AdminEntry:
    """The ledger's entry for an act on `key`: its id, role, holder and scopes; no secret."""
    return about_key(
        kind,
        key_id=key.key_id,
        role=key.role,
        holder=key.principal,
        scopes=key.scopes,
        actor=actor,
        at=at,
        **more,
    )


def _scopes(role: Role, types: list[str], contexts: list[str]) -> list[str]:
    """Providers are registered for record types, consumers for contexts, nobody else for
    either."""
    if types and role is not Role.PROVIDER:
        raise InvalidKeyRequest(f"only provider keys have record types; this is a {role} key")
    if contexts and role is not Role.CONSUMER:
        raise InvalidKeyRequest(f"only consumer keys have contexts; this is a {role} key")
    if role is Role.PROVIDER and not types:
        raise InvalidKeyRequest("a provider key needs the record types it may submit (--types)")
    if role is Role.CONSUMER and not contexts:
        raise InvalidKeyRequest("a consumer key needs the contexts it may check in (--contexts)")
    for scope in types or contexts:
        if not _SCOPE.match(scope):
            raise InvalidKeyRequest(f"{scope!r} is not a record type or context name")
    return types or contexts


def authenticate(access: AccessStore, secret: bytes, token: str) -> Caller | None:
    """The caller a token stands for; None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    return caller_of(access.key_by_digest(digest(secret, token)))


def caller_of(key: StoredKey | None) -> Caller | None:
    """Who holds a stored key; None for no key or a revoked one."""
    if key is None or key.revoked_at is not None:
        return None
    return Caller(key.key_id, Role(key.role), key.principal, frozenset(key.scopes), key.rate)


def list_keys(access: AccessStore) -> list[StoredKey]:
    return access.all_keys()


@dataclass(frozen=True, slots=True)
class LoggedAct:
    """An admin entry and where it stands in the audit log, to check its inclusion proof."""

    entry: AdminEntry
    leaf_index: int | None


def admin_history(
    store: AuditLogStore, *, subject_id: str | None = None, after: int = 0, limit: int = 100
) -> list[LoggedAct]:
    """The admin entries numbered above `after`, oldest first: all of them, or with
    `subject_id` those about that subject's keys, which the subject reads (SPEC §5)."""
    found = store.admin_entries(subject_id=subject_id, after=after, limit=limit)
    where = store.leaf_indexes("admin", [str(e.seq) for e in found])
    return [LoggedAct(e, where.get(str(e.seq))) for e in found]


def revoke_key(access: AccessStore, key_id: str, *, now: datetime, actor: str) -> StoredKey:
    """Revoke the key, by `actor`; revoking a revoked key changes nothing, and logs nothing."""
    held = next((k for k in access.all_keys() if k.key_id == key_id), None)
    if held is None:
        raise UnknownKey(f"no key {key_id!r}")
    key = access.revoke_key(
        key_id, at=now, audit=key_entry("key-revocation", held, actor=actor, at=now)
    )
    if key is None:
        raise UnknownKey(f"no key {key_id!r}")
    return key


def key_secret(configured: str | None, database_url: str) -> bytes:
    """The server secret keys are hashed with: CREDO_KEY_SECRET, or for an SQLite ledger a
    random one kept in a file beside it (created on first use, readable by its owner only).
    PostgreSQL deployments set it: several servers must share it, and it must not sit in the
    database whose copies it protects."""
    if configured:
        return configured.encode()
    if database_url.startswith("memory:"):
        return _PROCESS_SECRET
    if not database_url.startswith("sqlite:"):
        raise CredoError("set CREDO_KEY_SECRET: the secret API keys are hashed with")
    from sqlalchemy.engine import make_url

    path = Path(make_url(database_url).database or "credo.db").with_suffix(".key-secret")
    if not path.exists():
        # Written whole under another name, then linked into place: a server starting at the
        # same moment either links first or reads the winner's complete file.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


_PROCESS_SECRET = secrets.token_bytes(32)
