"""The audit log, for anyone without a key: signed tree heads, inclusion and consistency proofs,
and the public keys that check them (SPEC §7, §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from credo.api.deps import StateDep, anonymous
from credo.api.problems import responses
from credo.api.schemas.audit import (
    ConsistencyProofRead,
    InclusionProofRead,
    JwksRead,
    TreeHeadRead,
)
from credo.api.schemas.common import SEQ_MAX
from credo.domain.errors import UnknownTreeHead
from credo.services.audit import ledger as audit

router = APIRouter(tags=["audit"], dependencies=[Depends(anonymous)])


@router.get(
    "/v1/audit/sth",
    summary="The latest signed tree head",
    response_model=TreeHeadRead,
    responses=responses(404, 429, 503),
    description="The ledger's Merkle tree (RFC 9162) as last signed: every record, withdrawal, "
    "objection, decision, notice and pack adoption is a leaf, in ledger order.",
)
def latest_head(state: StateDep) -> TreeHeadRead:
    head = state.context.store.signed_head()
    if head is None:
        raise UnknownTreeHead("the ledger is empty: no tree head has been signed yet")
    return TreeHeadRead.of(head)


@router.get(
    "/v1/audit/sth/{tree_size}",
    summary="The signed tree head of one size",
    response_model=TreeHeadRead,
    responses=responses(404, 422, 429, 503),
    description="A head is signed with each batch that grows the ledger; this is the one of "
    "that size (404 if no batch ended there).",
)
def head_of_size(
    state: StateDep, tree_size: Annotated[int, Path(ge=1, le=SEQ_MAX, description="The tree size.")]
) -> TreeHeadRead:
    head = state.context.store.signed_head(tree_size)
    if head is None:
        raise UnknownTreeHead(f"no signed tree head has tree_size {tree_size}")
    return TreeHeadRead.of(head)


@router.get(
    "/v1/audit/proof/inclusion",
    summary="That an entry is in a signed tree",
    response_model=InclusionProofRead,
    responses=responses(404, 422, 429, 503),
    description="The RFC 9162 inclusion path of the entry at `leaf_index` in the signed tree "
    "of `tree_size`; recompute the leaf from the entry's canonical bytes to check it.",
)
def inclusion_proof(
    state: StateDep,
    leaf_index: Annotated[int, Query(ge=0, le=SEQ_MAX, description="The entry's place, from 0.")],
    tree_size: Annotated[int, Query(ge=1, le=SEQ_MAX, description="A signed tree's size.")],
) -> InclusionProofRead:
    store = state.context.store
    path = audit.inclusion(store, leaf_index, tree_size)
    leaf = store.leaves(after=leaf_index, limit=1)[0]
    return InclusionProofRead(
        leaf_index=leaf_index,
        tree_size=tree_size,
        leaf_hash=leaf.hash.hex(),
        audit_path=[h.hex() for h in path],
    )


@router.get(
    "/v1/audit/proof/consistency",
    summary="That one signed tree is a prefix of another",
    response_model=ConsistencyProofRead,
    responses=responses(404, 422, 429, 503),
    description="The RFC 9162 consistency proof from the signed tree of size `first` to the "
    "one of size `second`: nothing in the first was changed or removed.",
)
def consistency_proof(
    state: StateDep,
    first: Annotated[int, Query(ge=1, le=SEQ_MAX, description="The earlier tree size.")],
    second: Annotated[int, Query(ge=1, le=SEQ_MAX, description="The later tree size.")],
) -> ConsistencyProofRead:
    path = audit.consistency(state.context.store, first, second)
    return ConsistencyProofRead(
        first=first, second=second, consistency_path=[h.hex() for h in path]
    )


@router.get(
    "/.well-known/jwks.json",
    summary="The public signing keys",
    response_model=JwksRead,
    responses=responses(429),
    description="Every Ed25519 key the service has signed tree heads and attestations with, "
    "the current one and those rotated out, as a JWK set (RFC 7517, RFC 8037).",
)
def jwks(state: StateDep) -> JwksRead:
    return JwksRead.model_validate(state.context.signing().jwks())
