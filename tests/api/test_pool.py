"""The PostgreSQL pool pings no connection on checkout; one the server has closed meanwhile is
noticed all the same and replaced, so a request after a database restart does not fail."""

from __future__ import annotations

import time

import psycopg
import pytest

from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from tests.contract.conftest import libpq_url

pytestmark = pytest.mark.postgres


def test_a_connection_the_server_closed_is_replaced_on_checkout(
    postgres_url: str, postgres_schema: str
) -> None:
    store = PostgresLedgerStore(postgres_url, schema=postgres_schema)
    try:
        store.migrate()
        with store.engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)  # the server's goodbye reaches the pooled connection's socket
        assert store.stored_score("p-1") is None
        assert store.records_of("p-1") == []
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != pid
    finally:
        store.close()
