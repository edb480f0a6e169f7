"""Bad input and refusals: problem+json with a clear title and detail, never a stack trace;
size limits, unknown fields, rate limits with Retry-After, revoked keys."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient

from tests.api.conftest import Api, MakeApi, record

PROBLEM = "application/problem+json"


def is_problem(response: object, status: int, title: str) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"] == title
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_without_a_key_the_answer_says_how_to_send_one(api: Api) -> None:
    response = api.call("GET", "/v1/subjects/p-1/score")
    body = is_problem(response, 401, "Unauthenticated")
    assert "Bearer" in str(body["detail"])
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_unknown_key_is_refused(api: Api) -> None:
    headers = {"Authorization": "Bearer credo_not-a-key"}
    response = api.call("GET", "/v1/subjects/p-1/score", headers=headers)
    assert is_problem(response, 401, "Unauthenticated")["detail"] == "unknown or revoked API key"


def test_a_revoked_key_stops_working(api: Api) -> None:
    keys = api.call("GET", "/v1/keys", "admin").json()
    subject_key = next(k for k in keys if k["id"] == "p-1")
    assert api.call("GET", "/v1/subjects/p-1/checks", "subject_a").status_code == 200
    revoked = api.call("POST", f"/v1/keys/{subject_key['key_id']}/revocation", "admin")
    assert revoked.json()["revoked_at"] is not None
    response = api.call("GET", "/v1/subjects/p-1/checks", "subject_a")
    is_problem(response, 401, "Unauthenticated")


def test_someone_elses_data_is_answered_as_if_it_did_not_exist(api: Api) -> None:
    api.post_records(record("p-1", ref="TP-1"))
    others = api.call("GET", "/v1/subjects/p-1/explanation", "subject_b")
    missing = api.call("GET", "/v1/subjects/p-404/explanation", "reviewer")
    a, b = is_problem(others, 404, "Not found"), is_problem(missing, 404, "Not found")
    assert str(a["detail"]).replace("p-1", "ID") == str(b["detail"]).replace("p-404", "ID")
    assert set(a) == set(b)


def test_unknown_routes_and_methods(api: Api) -> None:
    is_problem(api.call("GET", "/v1/nothing-here"), 404, "Not found")
    response = api.call("DELETE", "/v1/checks")
    is_problem(response, 405, "Method not allowed")
    assert response.headers["allow"] == "POST"


def test_invalid_json_and_parameters_name_what_is_wrong(api: Api) -> None:
    bad_json = api.call(
        "POST",
        "/v1/checks",
        "consumer_a",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert "JSON" in str(is_problem(bad_json, 422, "Invalid request")["detail"])
    bad_date = api.call("GET", "/v1/subjects/p-1/score?as_of=yesterday", "subject_a")
    body = is_problem(bad_date, 422, "Invalid request")
    assert body["errors"][0]["field"] == "query.as_of"  # type: ignore[index]


def test_a_body_over_the_limit_is_refused_before_it_is_read(make_api: MakeApi) -> None:
    api = make_api(api_max_body_bytes=2_000)
    body = [record(ref=f"TP-{i}") for i in range(20)]
    response = api.post_records(body)
    assert "2,000 bytes" in str(is_problem(response, 413, "Request body too large")["detail"])

    def chunks() -> Iterator[bytes]:
        yield b"[" + b" " * 1_500
        yield b" " * 1_500 + b"]"

    streamed = api.call(
        "POST",
        "/v1/records",
        "provider_a",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    is_problem(streamed, 413, "Request body too large")
    assert api.ctx.store.count_records() == 0


def test_each_key_has_a_rate_limit_answered_with_retry_after(make_api: MakeApi) -> None:
    api = make_api(api_rate=2, api_burst_seconds=1)
    codes = [api.call("GET", "/v1/subjects/p-1/checks", "subject_a").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = api.call("GET", "/v1/subjects/p-1/checks", "subject_a")
    is_problem(limited, 429, "Too many requests")
    assert int(limited.headers["retry-after"]) >= 1
    # Another key has a budget of its own.
    assert api.call("GET", "/v1/subjects/p-2/checks", "subject_b").status_code == 200


def test_callers_without_a_key_are_limited_by_address(make_api: MakeApi) -> None:
    api = make_api(api_anonymous_rate=1, api_burst_seconds=1)
    assert api.call("GET", "/v1/rulebook").status_code == 200
    is_problem(api.call("GET", "/v1/rulebook"), 429, "Too many requests")


def test_a_failure_inside_leaves_no_trace_but_its_request_id(api: Api) -> None:
    def broken() -> None:
        raise RuntimeError("password=hunter2 at /srv/credo/internal.py")

    api.app.add_api_route("/broken", broken)
    client = TestClient(api.app, raise_server_exceptions=False)
    response = client.get("/broken")
    body = is_problem_500(response)
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"]


def is_problem_500(response: object) -> dict[str, object]:
    assert response.status_code == 500  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["title"] == "Internal error"
    return body
