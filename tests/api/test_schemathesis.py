"""The API against its own OpenAPI document: schemathesis generates requests for every
operation, valid and invalid, and runs every check it has on each answer."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from starlette.types import ASGIApp, Receive, Scope, Send

from credo.adapters.stores.memory import MemoryLedgerStore
from credo.api.app import create_app
from credo.api.settings import ApiSettings
from credo.bootstrap import Context
from credo.settings import Settings
from tests.api.conftest import Api, MakeApi, record

load_all_checks()
ALL_CHECKS = [CHECKS.get_one(name) for name in CHECKS.get_all_names()]
# A generated request that leaves out the required Authorization header is sent with the key
# its audience needs, which undoes that mutation: whether such a request should have been
# rejected cannot be judged from its answer.
BUT_REJECTION = [c for c in ALL_CHECKS if c.__name__ != "negative_data_rejection"]

# Which key each audience's operations are called with: the one the route is for.
KEY_BY_TAG = {
    "providers": "provider_a",
    "subjects": "subject_a",
    "consumers": "consumer_a",
    "reviewers": "reviewer",
    "admin": "admin",
}


@pytest.fixture
def served(make_api: MakeApi) -> Api:
    api = make_api()
    api.post_records(record("p-1", ref="TP-1"))
    CURRENT.app = api.app
    return api


def document() -> dict[str, Any]:
    """The OpenAPI document, from an app on a memory ledger: the same routes and models as
    every other store gives, known at collection time so each operation is a test of its own."""
    context = Context(Settings(database_url="memory:"), MemoryLedgerStore())
    return create_app(context, ApiSettings(key_secret="document")).openapi()


class CurrentApp:
    """The app under test: each test builds its own on a fresh store and puts it here, where
    schemathesis (which binds an app when the schema is loaded) sends every request."""

    app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


CURRENT = CurrentApp()
# The key-creation body is a oneOf of four roles whose holder ids follow the printable-Unicode
# reference pattern (a character class of some 700 ranges): deriving the coverage phase's
# boundary cases for it costs Hypothesis a minute and a half at collection, more than the rest
# of the suite's collection together. That one operation is fuzzed (valid and invalid bodies)
# without the coverage phase; tests/api/test_keys_cli.py and test_access_store.py cover its
# boundaries.
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path": "/v1/keys",
                "include-method": "POST",
                "phases": {"coverage": {"enabled": False}},
            }
        ]
    }
)
schema = schemathesis.openapi.from_dict(document(), config=CONFIG)
schema.app = CURRENT


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_schema(case: Case, served: Api) -> None:
    tags = case.operation.definition.raw.get("tags", [])
    who = next((KEY_BY_TAG[t] for t in tags if t in KEY_BY_TAG), None)
    keyless = who is not None and "Authorization" not in (case.headers or {})
    checks = BUT_REJECTION if keyless else ALL_CHECKS
    case.call_and_validate(headers=served.headers(who), checks=checks)
