"""Query parameters are held to the same rule as bodies: a name the route does not declare is
refused, not ignored, so a misspelt `?as_of=` never silently answers for today."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from credo.domain.errors import CredoError


class UnknownParameter(CredoError):
    status = 422
    title = "Unknown query parameter"


def _declared(route: APIRoute) -> frozenset[str]:
    # Not cached: it runs only for requests that carry a query string, and walking a route's
    # few dependencies costs microseconds.
    return frozenset(_query_names(route.dependant))


def _query_names(dependant: Dependant) -> set[str]:
    """The route's own query parameters and those of every dependency it uses."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_query_only(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = sorted(set(request.query_params) - _declared(route))
    if unknown:
        allowed = ", ".join(sorted(_declared(route))) or "none"
        raise UnknownParameter(
            f"unknown query parameter(s) {', '.join(map(repr, unknown))}; this route takes: "
            f"{allowed}"
        )
