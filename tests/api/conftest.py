"""The API on a real store (an SQLite file, or a throwaway PostgreSQL schema) with the shipped
rulebooks, a fixed clock, and a key for each kind of caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.api.app import create_app
from credo.api.settings import ApiSettings
from credo.bootstrap import Context
from credo.services.access.keys import Role, create_key
from credo.services.packs.adopt import adopt_pack_file
from credo.settings import Settings
from credo.shipped import shipped_packs
from tests.contract.conftest import postgres_schema, postgres_url  # noqa: F401 (fixtures)

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SECRET = "a test secret"
SHA = "ab" * 32
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# Who calls, in the order of the policy table's columns.
CALLERS: dict[str, tuple[Role, str, dict[str, list[str]]]] = {
    "provider_a": (
        Role.PROVIDER,
        "traffic-police-rc",
        {"types": ["traffic.violation", "court.judgment_default", "court.judgment_satisfied"]},
    ),
    "provider_b": (Role.PROVIDER, "tax-bureau", {"types": ["tax.violation", "tax.arrears"]}),
    "subject_a": (Role.SUBJECT, "p-1", {}),
    "subject_b": (Role.SUBJECT, "p-2", {}),
    "consumer_a": (
        Role.CONSUMER,
        "railway",
        {"contexts": ["rail.high-speed-ticket", "procurement.tender"]},
    ),
    "consumer_b": (Role.CONSUMER, "bike-scheme", {"contexts": ["bike.rental"]}),
    "reviewer": (Role.REVIEWER, "review-office", {}),
    "admin": (Role.ADMIN, "operations", {}),
}


def record(
    subject: str = "p-1",
    type_: str = "traffic.violation",
    ref: str = "TP-1",
    *,
    kind: str = "person",
    region: str = "CN-SD-RC",
    occurred_at: str = "2026-03-01",
    attributes: dict[str, Any] | None = None,
    **more: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": {"id": subject, "kind": kind, "region": region},
        "type": type_,
        "occurred_at": occurred_at,
        "source_ref": ref,
        "attributes": {"severity": 2} if attributes is None else attributes,
        "evidence": {"uri": f"https://records.example/{ref}.pdf", "sha256": SHA},
    }
    return body | more


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    ctx: Context
    tokens: dict[str, str]

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def call(self, method: str, path: str, who: str | None = None, **kw: Any) -> httpx2.Response:
        headers = self.headers(who) | kw.pop("headers", {})
        return self.client.request(method, path, headers=headers, **kw)

    def post_records(self, body: object, who: str = "provider_a") -> httpx2.Response:
        return self.call("POST", "/v1/records", who, json=body)


def open_store(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[str, LedgerStore]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'credo.db'}"
        return url, SqliteLedgerStore(url)
    url = request.getfixturevalue("postgres_url")
    return url, PostgresLedgerStore(url, schema=request.getfixturevalue("postgres_schema"))


def settings(**overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {
        "key_secret": SECRET,
        "api_rate": 100_000,
        "api_anonymous_rate": 100_000,
        "api_key_cache_seconds": 0,
    }
    return ApiSettings(**(values | overrides))


MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeApi]:
    """Builds the API on a migrated store with the shipped packs adopted; `backend` picks the
    store and keyword arguments override the API settings."""
    opened: list[tuple[TestClient, LedgerStore]] = []

    def make(backend: str = "sqlite", **overrides: Any) -> Api:
        url, store = open_store(backend, request, tmp_path)
        store.migrate()
        for path in shipped_packs():
            adopt_pack_file(store, path, now=NOW, actor="cli:test")
        ctx = Context(settings=Settings(database_url=url), store=store, clock=lambda: NOW)
        app = create_app(ctx, settings(**overrides))
        tokens = {}
        for who, (role, principal, scopes) in CALLERS.items():
            made = create_key(
                ctx.access,
                SECRET.encode(),
                role=role,
                principal=principal,
                now=NOW,
                **scopes,
                actor="cli:test",
            )
            tokens[who] = made.token
        client = TestClient(app)
        opened.append((client, store))
        return Api(app, client, ctx, tokens)

    yield make
    for client, store in opened:
        client.close()
        store.close()


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    """On SQLite."""
    return make_api()
