"""The application: `create_app(context)` with an explicit list of routers, one per audience."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from credo.api import problems
from credo.api.deps import ApiState
from credo.api.guards import KeyCache, RateLimiter
from credo.api.metrics import Metrics
from credo.api.observe import Observed
from credo.api.query import known_query_only
from credo.api.routes import (
    admin,
    attestations,
    audit,
    consumers,
    ops,
    population,
    providers,
    public,
    reviewers,
    subjects,
)
from credo.api.settings import ApiSettings
from credo.bootstrap import Context, bootstrap
from credo.services.intake.records_api import GroupCommit
from credo.services.packs.rulebook_cache import CachedRulebook
from credo.services.rating.subject import Explanations
from credo.web import app as portal
from credo.web.settings import WebSettings

ROUTERS = [
    providers.router,
    subjects.router,
    consumers.router,
    reviewers.router,
    public.router,
    population.router,
    audit.router,
    attestations.router,
    admin.router,
    ops.router,
]

DESCRIPTION = """An accountable trust-rating system (SPEC §7).

Send an API key as `Authorization: Bearer credo_…`. A key carries one role: **provider**
(submits and withdraws records of the types it is registered for), **subject** (reads its own
score, explanation, notices and the checks made about it, and objects to its records),
**consumer** (checks subjects in the contexts it is registered for, and follows the changes),
**reviewer** (reads any subject's score and explanation, and decides objections), **admin**
(manages keys). The rulebook and the published lists need no key.

Errors are `application/problem+json`. A request for someone else's data is answered as if it
did not exist (404). Each key has a rate limit; beyond it the answer is 429 with `Retry-After`.
"""


def create_app(
    context: Context, settings: ApiSettings | None = None, web: WebSettings | None = None
) -> FastAPI:
    settings = settings or ApiSettings()
    secret = settings.secret_for(context.settings.database_url)
    metrics = Metrics()
    app = FastAPI(
        lifespan=_lifespan(settings.api_threads),
        title="credo",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
    )
    app.state.api = ApiState(
        context=context,
        settings=settings,
        key_secret=secret,
        keys=KeyCache(context.access, secret, settings.api_key_cache_seconds),
        limiter=RateLimiter(settings.api_burst_seconds),
        metrics=metrics,
        rulebook=CachedRulebook(context.store, settings.api_rulebook_seconds),
        records=GroupCommit(context.store, context.feeds),
        explanations=Explanations(),
    )
    for router in ROUTERS:
        app.include_router(router)
    # The web portal (SPEC §8): pages beside the API, on the same services.
    portal.install(app, web)
    problems.install(app)
    app.add_middleware(Observed, metrics=metrics, max_body_bytes=settings.api_max_body_bytes)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _lifespan(threads: int) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Handlers run in a thread pool, each holding a database connection while it works:
        # more threads than pooled connections would open and close connections on every
        # request; fewer make requests queue here, cheaply.
        to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the problem document every error response refers to."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = problems.Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        nested = components["Problem"].pop("$defs", {})
        components.update(nested)
        app.openapi_schema = schema
    return app.openapi_schema


def factory() -> FastAPI:
    """For `uvicorn --factory credo.api.app:factory`: each worker process builds its own
    context from the environment (CREDO_DATABASE_URL and the CREDO_API_* settings)."""
    from credo.api import logs

    logs.configure()
    return create_app(bootstrap(migrate=False))
