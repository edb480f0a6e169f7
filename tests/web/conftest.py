"""The portal on a real store, as the API's tests build it (`tests/api/conftest.py`): each
caller signs in in a browser of its own (a test client with its own cookies)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from credo.domain.ledger.records import record_id_for
from tests.api.conftest import (
    SHA,
    Api,
    MakeApi,
    backend,
    make_api,
    postgres_schema,
    postgres_url,
    record,
)

# The API's fixtures, for the portal's tests too.
__all__ = [
    "SHA",
    "Portal",
    "backend",
    "judgment",
    "make_api",
    "postgres_schema",
    "postgres_url",
    "record",
]

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def judgment(subject: str = "p-1", ref: str = "J-1", **more: Any) -> dict[str, Any]:
    """The record that puts its subject on the judgment-defaulters list, which denies a
    high-speed rail ticket."""
    return record(
        subject,
        "court.judgment_default",
        ref,
        occurred_at="2026-11-01",
        attributes={"amount": 50_000},
        case_ref=f"case-{ref}",
        **more,
    )


JUDGMENT_ID = record_id_for("traffic-police-rc", "J-1")


@dataclass
class Portal:
    api: Api
    browsers: dict[str | None, TestClient] = field(default_factory=dict)
    csrf: dict[str | None, str] = field(default_factory=dict)

    def browser(self, who: str | None) -> TestClient:
        """A browser signed in with `who`'s key (None: nobody signed in)."""
        if who not in self.browsers:
            client = TestClient(self.api.app)
            if who is not None:
                sign_in(client, self.api.tokens[who])
            self.browsers[who] = client
        return self.browsers[who]

    def get(self, who: str | None, path: str, **kw: Any) -> httpx2.Response:
        return self.browser(who).get(path, follow_redirects=False, **kw)

    def post(self, who: str | None, path: str, data: dict[str, str]) -> httpx2.Response:
        """A form sent from one of the portal's own pages, with its CSRF token (the same on
        every page until the browser signs in or out)."""
        client = self.browser(who)
        if who not in self.csrf:
            self.csrf[who] = csrf_of(client)
        answer = client.post(path, data={"csrf": self.csrf[who], **data}, follow_redirects=False)
        if path == "/logout":
            self.csrf.pop(who, None)
        return answer


def csrf_of(client: TestClient) -> str:
    page = client.get("/login" if "credo_session" not in client.cookies else "/rulebook")
    found = CSRF.search(page.text)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> httpx2.Response:
    token = csrf_of(client)
    answer = client.post("/login", data={"key": key, "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


@pytest.fixture
def portal(make_api: MakeApi) -> Iterator[Portal]:
    p = Portal(make_api())
    yield p
    for client in p.browsers.values():
        client.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.web.live import ARGS, CHROMIUM, need_chromium

    need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(portal: Portal) -> Iterator[tuple[Portal, str]]:
    """The portal served on a loopback port, for the browser."""
    from tests.web.live import served

    with served(portal.api.app) as base:
        yield portal, base
