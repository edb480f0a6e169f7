"""Every store under test: memory, an SQLite file, and a throwaway schema in PostgreSQL.

PostgreSQL comes from CREDO_TEST_POSTGRES_URL. When it cannot be reached its tests are
skipped, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from credo.adapters.stores.memory import MemoryLedgerStore
from credo.adapters.stores.protocol import LedgerStore
from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
StoreFactory = Callable[[], LedgerStore]

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def libpq_url(url: str) -> str:
    """The URL as libpq reads it: without SQLAlchemy's `+driver`."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("CREDO_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        psycopg.connect(libpq_url(url), connect_timeout=5).close()
    except psycopg.OperationalError as e:
        shown = make_url(url).render_as_string(hide_password=True)
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        message = f"PostgreSQL at {shown} is unreachable ({reason}); set CREDO_TEST_POSTGRES_URL"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    """A schema of its own for one test, dropped afterwards with everything in it."""
    name = f"credo_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def _factory(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if backend == "memory":
        shared = MemoryLedgerStore()
        return lambda: shared
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'credo.db'}"
        return lambda: SqliteLedgerStore(url)
    url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("postgres_schema")
    return lambda: PostgresLedgerStore(url, schema=schema)


def _opened(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    make = _factory(backend, request, tmp_path)
    opened: list[LedgerStore] = []

    def open_store() -> LedgerStore:
        store = make()
        store.migrate()
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture(params=BACKENDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens another migrated store on the same ledger (for memory: the same object)."""
    yield from _opened(request.param, request, tmp_path)


@pytest.fixture
def store(new_store: StoreFactory) -> LedgerStore:
    return new_store()


@pytest.fixture(params=SQL_BACKENDS)
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """A database URL and, for PostgreSQL, the schema to use: nothing is migrated yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'credo.db'}", None
    return request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_schema")
