"""How pages answer: a route class that turns the services' refusals into pages (someone
else's data is a 404 page, exactly as the API answers 404), and who may see what."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from credo.api.problems import RateLimited
from credo.domain.errors import CredoError
from credo.services.access.keys import Role
from credo.web.context import Page, page_of
from credo.web.render import render, secure


class Refusal(Exception):
    """A page that is not for this viewer: sign in first (no viewer), or 403."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles = roles


class BadCsrf(Exception):
    """A form sent without this browser's CSRF token: from another site, or a stale page."""


def check_csrf(page: Page, token: str) -> None:
    if not page.csrf_ok(token):
        raise BadCsrf()


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except Refusal as e:
                response = await _refused(request, e)
            except BadCsrf:
                response = await error_page(
                    request,
                    403,
                    "Forbidden",
                    "The form was out of date. Reload the page and try again.",
                )
            except RateLimited as e:
                response = await error_page(request, e.status, e.title, e.detail)
                response.headers["Retry-After"] = str(e.retry_after)
            except CredoError as e:
                response = await error_page(request, e.status, e.title, e.detail)
            except RequestValidationError as e:
                fields = "; ".join(
                    f"{'.'.join(str(x) for x in err['loc'][1:])}: {err['msg']}"
                    for err in e.errors()
                )
                response = await error_page(request, 422, "Invalid request", fields)
            except HTTPException as e:
                response = await error_page(request, e.status_code, "Error", str(e.detail))
            return secure(response)

        return route


def router() -> APIRouter:
    """A router of pages: not in the API's OpenAPI document, which describes JSON only."""
    return APIRouter(route_class=PageRoute, include_in_schema=False)


def require(page: Page, *roles: Role) -> None:
    if not page.is_(*roles):
        raise Refusal(roles)


async def _refused(request: Request, e: Refusal) -> Response:
    page = await page_of(request)
    if page.viewer is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    names = ", ".join(r.value for r in e.roles)
    return render(
        page,
        "error.html",
        status=403,
        title="Forbidden",
        detail=None,
        needs=names,
    )


async def error_page(request: Request, status: int, title: str, detail: str | None) -> Response:
    page = await page_of(request)
    return render(page, "error.html", status=status, title=title, detail=detail, needs=None)
