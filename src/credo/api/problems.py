"""Errors as `application/problem+json` (RFC 9457): a title, the status, and a detail that says
what was wrong. Nothing else leaves the server: no stack trace, no SQL, no internal names."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from credo.domain.errors import CredoError, NoPackGoverns, NotInForce

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("credo.api")


class FieldProblem(BaseModel):
    field: str = Field(description="Where in the request, e.g. `body.subject.id` or `query.as_of`.")
    message: str = Field(description="What is wrong there.")


class Problem(BaseModel):
    """An error. `detail` is written for the person reading it; `title` names the kind."""

    type: str = Field(default="about:blank", description="Always `about:blank`: see `title`.")
    title: str = Field(description="The kind of error, e.g. `Not found`.")
    status: int = Field(description="The HTTP status code, repeated.")
    detail: str = Field(description="What went wrong and, where it helps, what would be right.")
    request_id: str | None = Field(
        default=None, description="The request's id, as in the `X-Request-ID` header and logs."
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="For invalid requests: every field at fault."
    )


class Unauthenticated(CredoError):
    status = 401
    title = "Unauthenticated"


class Forbidden(CredoError):
    status = 403
    title = "Forbidden"


class TooLarge(CredoError):
    status = 413
    title = "Request body too large"


class NoScore(CredoError):
    """No score exists for the subject on that date: no pack governs it, or none is in force."""

    status = 404
    title = "Not found"


@contextmanager
def scored() -> Iterator[None]:
    """Around a score, explanation or check: a date before any rulebook was in force has no
    score, which is answered as a resource that does not exist, not as a bad request."""
    try:
        yield
    except (NotInForce, NoPackGoverns) as e:
        raise NoScore(e.detail) from e


class RateLimited(CredoError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    request_id: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, request_id=request_id, errors=errors)
    return JSONResponse(
        body.model_dump(exclude_none=True), status, headers=headers, media_type=MEDIA_TYPE
    )


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _credo_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CredoError)
    headers = {}
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="credo"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return problem(
        exc.status, exc.title, exc.detail, request_id=_request_id(request), headers=headers
    )


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldProblem(field=_field(e["loc"]), message=e["msg"]) for e in exc.errors()]
    shown = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return problem(
        422, "Invalid request", shown + more, request_id=_request_id(request), errors=errors
    )


_HTTP_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: TooLarge.title,
}


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    title = _HTTP_TITLES.get(exc.status_code) or HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else title
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        detail = f"no such resource: {request.url.path}"
    elif exc.status_code == 405:
        allowed = _allowed(request, headers.get("Allow", ""))
        headers["Allow"] = ", ".join(allowed)
        detail = f"{request.method} is not served here; {', '.join(allowed)} are"
    elif exc.status_code == 400:
        detail = "the body could not be read as UTF-8 JSON"
    return problem(exc.status_code, title, detail, request_id=_request_id(request), headers=headers)


def _allowed(request: Request, named: str) -> list[str]:
    """Every method the API documents at this path. Starlette names only those of the first
    route whose path matches, which misses a second route at the same path."""
    paths = request.app.openapi()["paths"]
    if request.url.path in paths:  # a literal path wins over a template that also matches it
        return sorted(m.upper() for m in paths[request.url.path])
    methods = {m.strip() for m in named.split(",") if m.strip()}
    for template, item in paths.items():
        if compile_path(template)[0].match(request.url.path):
            methods |= {m.upper() for m in item}
    return sorted(methods)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled error",
        exc_info=exc,
        extra={"request_id": _request_id(request), "path": request.url.path},
    )
    return problem(
        500,
        "Internal error",
        "the server failed to answer this request; it has been logged under the request id",
        request_id=_request_id(request),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(CredoError, _credo_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses a route documents, each as problem+json."""
    return {status: _DOCUMENTED[status] for status in statuses}


def _doc(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if headers:
        doc["headers"] = headers
    return doc


_DOCUMENTED: dict[int, dict[str, Any]] = {
    400: _doc("The request could not be read."),
    401: _doc(
        "No key, or an unknown or revoked one.",
        {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
    ),
    403: _doc("The key's role or registration does not allow this."),
    404: _doc("No such resource, or one that is not the caller's."),
    409: _doc("The request conflicts with the ledger's state (e.g. a window that has closed)."),
    413: _doc("The request body is larger than the server accepts."),
    422: _doc("The request is not valid: `errors` names every field at fault."),
    429: _doc(
        "Too many requests from this key (or, without a key, this address).",
        {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before trying again.",
            }
        },
    ),
    503: _doc("The ledger database is unavailable or not migrated."),
}
