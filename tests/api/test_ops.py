"""Liveness, readiness, Prometheus metrics and structured logs with request ids."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from credo.adapters.stores.sql.postgres import PostgresLedgerStore
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.api.app import create_app
from credo.api.logs import JsonFormatter
from credo.bootstrap import Context
from credo.settings import Settings
from tests.api.conftest import Api, record, settings


def test_liveness_and_readiness(api: Api) -> None:
    assert api.call("GET", "/healthz").json() == {"status": "ok"}
    assert api.call("GET", "/readyz").json() == {"status": "ready"}


def test_not_ready_until_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    store = SqliteLedgerStore(url)
    client = TestClient(create_app(Context(Settings(database_url=url), store), settings()))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "not migrated" in response.json()["detail"]
    assert client.get("/healthz").status_code == 200
    store.close()


def test_not_ready_while_the_database_is_unreachable() -> None:
    url = "postgresql://postgres@127.0.0.1:1/none"  # nothing listens on port 1
    store = PostgresLedgerStore(url)
    client = TestClient(create_app(Context(Settings(database_url=url), store), settings()))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["title"] == "Store unavailable"
    assert "password" not in response.text
    store.close()


def test_the_document_and_the_interactive_docs_are_served(api: Api) -> None:
    document = api.call("GET", "/openapi.json").json()
    assert document["info"]["title"] == "credo"
    assert "key" in document["components"]["securitySchemes"]
    docs = api.call("GET", "/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")


def test_metrics_count_requests_records_and_checks(api: Api) -> None:
    api.post_records([record(ref="TP-1"), record(ref="TP-1"), record(ref="TP-2", type_="x.y")])
    api.call(
        "POST",
        "/v1/checks",
        "consumer_a",
        json={"subject": "p-1", "context": "rail.high-speed-ticket"},
    )
    text = api.call("GET", "/metrics").text
    assert 'credo_records_ingested_total{outcome="created"} 1.0' in text
    assert 'credo_records_ingested_total{outcome="already present"} 1.0' in text
    assert 'credo_records_ingested_total{outcome="rejected"} 1.0' in text
    assert 'credo_checks_total{decision="allow"} 1.0' in text
    assert 'credo_http_requests_total{method="POST",route="/v1/checks",status="200"} 1.0' in text
    assert 'credo_http_request_seconds_count{method="POST",route="/v1/records"} 1.0' in text


def test_each_request_is_logged_once_with_its_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="credo.api.access"):
        response = api.call(
            "GET", "/v1/subjects/p-1/checks", "subject_a", headers={"X-Request-ID": "abc-123"}
        )
        fresh = api.call("GET", "/healthz")
    assert response.headers["x-request-id"] == "abc-123"
    assert len(fresh.headers["x-request-id"]) == 32
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    first = lines[0]
    assert first["request_id"] == "abc-123"
    assert first["status"] == 200
    assert first["route"] == "/v1/subjects/{subject_id}/checks"
    assert first["key_id"].startswith("k-")
    assert first["level"] == "info"
    assert isinstance(first["ms"], float)
    assert lines[1]["request_id"] == fresh.headers["x-request-id"]
