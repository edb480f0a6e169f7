"""Routes for administrators: API keys, and the ledger's entries of what administrators did."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path

from credo.adapters.stores.access import StoredKey
from credo.api.deps import AdminDep, StateDep
from credo.api.problems import responses
from credo.api.schemas.keys import (
    AdminEntriesPage,
    ConsumerKeyCreate,
    EntriesAfter,
    EntriesLimit,
    KeyCreate,
    KeyCreated,
    KeyRead,
    ProviderKeyCreate,
)
from credo.services.access.keys import Role, admin_history, create_key, list_keys, revoke_key

router = APIRouter(prefix="/v1/keys", tags=["admin"])


def _read(key: StoredKey) -> KeyRead:
    return KeyRead(
        key_id=key.key_id,
        role=key.role,
        id=key.principal,
        scopes=list(key.scopes),
        rate=key.rate,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


@router.get(
    "",
    summary="Every API key",
    response_model=list[KeyRead],
    responses=responses(401, 403, 429, 503),
    description="Every key ever made, revoked ones included; never a token.",
)
def get_keys(admin: AdminDep, state: StateDep) -> list[KeyRead]:
    return [_read(k) for k in list_keys(state.context.access)]


@router.get(
    "/history",
    summary="What administrators did",
    response_model=AdminEntriesPage,
    responses=responses(401, 403, 422, 429, 503),
    description="Every key made or revoked, sign-in link issued and signing key rotated, oldest "
    "first, each with its actor and its leaf in the audit log; never a token.",
)
def get_history(
    admin: AdminDep,
    state: StateDep,
    after: EntriesAfter = 0,
    limit: EntriesLimit = 100,
) -> AdminEntriesPage:
    found = admin_history(state.context.store, after=after, limit=limit)
    return AdminEntriesPage.of(found, limit)


@router.post(
    "",
    summary="Make an API key",
    status_code=201,
    response_model=KeyCreated,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
    description="A new key for a role and a holder. Providers name their record types, "
    "consumers their contexts. The token is in this answer only: it is not kept.",
)
def post_key(
    body: Annotated[KeyCreate, Body(description="The role, the holder, and what it may do.")],
    admin: AdminDep,
    state: StateDep,
) -> KeyCreated:
    made = create_key(
        state.context.access,
        state.key_secret,
        role=Role(body.role),
        principal=body.id,
        types=body.types if isinstance(body, ProviderKeyCreate) else None,
        contexts=body.contexts if isinstance(body, ConsumerKeyCreate) else None,
        rate=body.rate,
        now=state.context.clock(),
        actor=admin.key_id,
    )
    return KeyCreated(**_read(made.key).model_dump(), token=made.token)


@router.post(
    "/{key_id}/revocation",
    summary="Revoke an API key",
    response_model=KeyRead,
    responses=responses(401, 403, 404, 422, 429, 503),
    description="The key stops working on every server within the key cache time "
    "(CREDO_API_KEY_CACHE_SECONDS). Revoking a revoked key changes nothing.",
)
def post_revocation(
    key_id: Annotated[str, Path(pattern=r"^k-[0-9a-f]{12}$", description="The key's id.")],
    admin: AdminDep,
    state: StateDep,
) -> KeyRead:
    ctx = state.context
    return _read(revoke_key(ctx.access, key_id, now=ctx.clock(), actor=admin.key_id))
