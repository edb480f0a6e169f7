"""Attestations: a subject issues one about itself; anyone verifies one (SPEC §7, §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from credo.api.deps import OwnerDep, StateDep, SubjectId, anonymous
from credo.api.problems import responses, scored
from credo.api.schemas.attestations import AttestationRead, VerificationRead, VerifyRequest
from credo.api.schemas.common import IsoDate
from credo.domain.audit.attestations import Ask
from credo.domain.errors import BadSignature
from credo.services.audit.attestations import issue, qr_svg, verify_online

router = APIRouter(prefix="/v1/attestations", tags=["attestations"])


@router.get(
    "/{subject_id}",
    summary="An attestation about oneself",
    response_model=AttestationRead,
    responses=responses(401, 403, 404, 422, 429, 503),
    description="A signed statement the subject can show anyone, who can check it offline "
    "with the keys at `/.well-known/jwks.json`. It discloses only what is asked: with "
    "`context`, the decision and its terms there (not the score); `disclose` adds the tier, "
    "the score or the lists. Only the subject itself may ask; another id is answered 404.",
)
def get_attestation(
    subject_id: SubjectId,
    caller: OwnerDep,
    state: StateDep,
    context: Annotated[
        str | None,
        Query(max_length=64, pattern=r"^[a-z0-9._-]+$", description="A context, e.g. bike.rental."),
    ] = None,
    disclose: Annotated[
        str | None,
        Query(
            pattern=r"^(tier|score|lists)(,(tier|score|lists))*$",
            description="What else to disclose, comma-separated: tier, score, lists.",
        ),
    ] = None,
    valid_days: Annotated[int, Query(ge=1, le=366, description="Days until it expires.")] = 30,
    as_of: Annotated[
        IsoDate | None, Query(description="The date it speaks of; default today.")
    ] = None,
) -> AttestationRead:
    ctx = state.context
    ask = Ask.of(context, disclose.split(",") if disclose else [])
    with scored():
        issued = issue(
            ctx.store,
            ctx.signing(),
            subject_id,
            ask=ask,
            valid_days=valid_days,
            as_of=as_of or ctx.today(),
            now=ctx.clock(),
            issuer=ctx.settings.issuer,
        )
    return AttestationRead(token=issued.token, claims=issued.claims, qr_svg=qr_svg(issued.token))


@router.post(
    "/verify",
    summary="Check an attestation",
    response_model=VerificationRead,
    responses=responses(400, 422, 429, 503),
    dependencies=[Depends(anonymous)],
    description="What `credo verify` checks offline (signature, key, expiry), and whether the "
    "statement still holds today: a record entered since may have changed it (`holds` false, "
    "`superseded_since` the first day it no longer held). An invalid token is answered 200 "
    "with `valid` false and the `problem`.",
)
def verify_attestation(
    body: Annotated[VerifyRequest, Body(description="The token, as its holder showed it.")],
    state: StateDep,
) -> VerificationRead:
    ctx = state.context
    try:
        standing = verify_online(
            ctx.store, ctx.signing(), body.token, now=ctx.clock(), today=ctx.today()
        )
    except BadSignature as e:
        return VerificationRead(
            valid=False,
            problem=e.detail,
            claims=None,
            holds=None,
            superseded_since=None,
            verdict=f"not valid: {e.detail}",
        )
    return VerificationRead(
        valid=True,
        problem=None,
        claims=standing.claims,
        holds=standing.holds,
        superseded_since=standing.superseded_since,
        verdict=standing.verdict,
    )
