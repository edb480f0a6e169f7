"""Typed dependencies: the context, who is calling, and what their role lets them reach."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from credo.api.guards import KeyCache, RateLimiter
from credo.api.metrics import Metrics
from credo.api.problems import Forbidden, Unauthenticated
from credo.api.settings import ApiSettings
from credo.bootstrap import Context
from credo.domain.errors import UnknownSubject
from credo.domain.ledger.ids import ID_PATTERN
from credo.services.access.keys import Caller, Role
from credo.services.intake.records_api import GroupCommit
from credo.services.packs.rulebook_cache import CachedRulebook
from credo.services.rating.subject import Explanations

T = TypeVar("T")


@dataclass(frozen=True)
class ApiState:
    """Everything a request handler may need, built once by `create_app`."""

    context: Context
    settings: ApiSettings
    key_secret: bytes
    keys: KeyCache
    limiter: RateLimiter
    metrics: Metrics
    rulebook: CachedRulebook
    records: GroupCommit  # where requests' records are appended together
    explanations: Explanations  # shared by the API's explanation and the portal's /me

    def change(self, use_case: Callable[..., T], /, **arguments: Any) -> T:
        """Run a use case that appends to the ledger: with the ledger and its feeds, the rulebook
        in force, and today and now as the context's clock tells them."""
        ctx = self.context
        return use_case(
            ctx.store, ctx.feeds, self.rulebook(), **arguments, today=ctx.today(), now=ctx.clock()
        )


async def get_state(request: Request) -> ApiState:
    # A coroutine, so FastAPI does not send this to a worker thread and back for every request.
    state: ApiState = request.app.state.api
    return state


StateDep = Annotated[ApiState, Depends(get_state)]


def json_response(model: BaseModel) -> Response:
    """A route's answer, serialised once: the route declares `response_model` for the schema,
    and FastAPI passes a `Response` through rather than validate and serialise it again."""
    return Response(model.model_dump_json(), media_type="application/json")


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="key",
    description="An API key from `credo keys create`, sent as `Authorization: Bearer credo_…`.",
)


def _client(request: Request) -> str:
    return "address:" + (request.client.host if request.client else "unknown")


async def anonymous(request: Request, state: StateDep) -> None:
    """Public routes: limited per client address."""
    state.limiter.take(_client(request), state.settings.api_anonymous_rate)


async def get_caller(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    if credentials is None:
        state.limiter.take(_client(request), state.settings.api_anonymous_rate)
        raise Unauthenticated("this route needs an API key: `Authorization: Bearer credo_…`")
    token = credentials.credentials
    known, caller = state.keys.cached(token)
    if not known:
        caller = await run_in_threadpool(state.keys.lookup, token)
    if caller is None:
        # Guessing keys costs the guesser its address's budget.
        state.limiter.take(_client(request), state.settings.api_anonymous_rate)
        raise Unauthenticated("unknown or revoked API key")
    state.limiter.take(caller.key_id, caller.rate or state.settings.api_rate)
    request.state.key_id = caller.key_id
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def role(*allowed: Role) -> Callable[[Caller], Awaitable[Caller]]:
    names = " or ".join(r.value for r in allowed)

    async def check(caller: CallerDep) -> Caller:
        if caller.role not in allowed:
            raise Forbidden(f"this route is for {names} keys; this is a {caller.role} key")
        return caller

    return check


# One alias per role, for routes any key of that role may call.
ProviderDep = Annotated[Caller, Depends(role(Role.PROVIDER))]
SubjectDep = Annotated[Caller, Depends(role(Role.SUBJECT))]
ConsumerDep = Annotated[Caller, Depends(role(Role.CONSUMER))]
ReviewerDep = Annotated[Caller, Depends(role(Role.REVIEWER))]
AdminDep = Annotated[Caller, Depends(role(Role.ADMIN))]

SubjectId = Annotated[
    str,
    Path(
        pattern=ID_PATTERN,
        description="The subject's id: 1–64 characters of letters, digits and `. _ : -`.",
    ),
]


def _own(caller: Caller, subject_id: str, *, reviewer: bool) -> None:
    """A subject's data is for that subject (and, where named, reviewers). Another subject's
    id is answered exactly as an id with no records, so the answer tells nothing."""
    if caller.role is Role.SUBJECT:
        if caller.principal != subject_id:
            raise UnknownSubject(f"no records about subject {subject_id!r}")
        return
    if reviewer and caller.role is Role.REVIEWER:
        return
    who = "the subject itself or a reviewer" if reviewer else "the subject itself"
    raise Forbidden(f"this route is for {who}; this is a {caller.role} key")


async def subject_or_reviewer(caller: CallerDep, subject_id: SubjectId) -> Caller:
    _own(caller, subject_id, reviewer=True)
    return caller


async def subject_only(caller: CallerDep, subject_id: SubjectId) -> Caller:
    _own(caller, subject_id, reviewer=False)
    return caller


ReaderDep = Annotated[Caller, Depends(subject_or_reviewer)]
OwnerDep = Annotated[Caller, Depends(subject_only)]
