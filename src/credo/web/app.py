"""The portal, mounted by the API's `create_app`: its routers, one per audience, and its
static files (a stylesheet and the vendored htmx)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from markupsafe import Markup
from starlette.staticfiles import StaticFiles

from credo.services.portal.subject_file import FileCache
from credo.services.rating.subject import ByRevision
from credo.web.settings import WebSettings
from credo.web.views import admin, audit, auth, proposals, provider, public, review, subject

STATIC = Path(__file__).parent / "static"

ROUTERS = [
    public.router,
    proposals.router,
    auth.router,
    subject.router,
    audit.router,
    review.router,
    provider.router,
    admin.router,
]


def install(app: FastAPI, settings: WebSettings | None = None) -> None:
    app.state.web = settings or WebSettings()
    app.state.files = FileCache()
    app.state.bodies = ByRevision[Markup](size=64)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
