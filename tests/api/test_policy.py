"""Every route against every kind of caller, expected statuses from one policy table.

Columns: no key, two providers, two subjects (the one whose data the route names, and another),
two consumers (registered for the context checked, and not), a reviewer and an administrator.
"""

from __future__ import annotations

from typing import Any

import pytest

from credo.domain.ledger.records import record_id_for
from tests.api.conftest import Api, MakeApi, record

SEED = record_id_for("traffic-police-rc", "TP-seed")

WHO = [
    None,
    "provider_a",
    "provider_b",
    "subject_a",
    "subject_b",
    "consumer_a",
    "consumer_b",
    "reviewer",
    "admin",
]

#   route                                          anon prA  prB  suA  suB  coA  coB  rev  adm
POLICY: list[tuple[str, str, list[int]]] = [
    ("POST", "/v1/records",                        [401, 200, 200, 403, 403, 403, 403, 403, 403]),
    ("GET", "/v1/subjects/p-1/score",              [401, 403, 403, 200, 404, 403, 403, 200, 403]),
    ("GET", "/v1/subjects/p-1/explanation",        [401, 403, 403, 200, 404, 403, 403, 200, 403]),
    ("GET", "/v1/subjects/p-1/checks",             [401, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("GET", "/v1/subjects/p-1/keys",               [401, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("POST", "/v1/checks",                         [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/v1/subjects/p-1/notices",            [401, 403, 403, 200, 404, 403, 403, 200, 403]),
    ("GET", "/v1/subjects/p-1/objections",         [401, 403, 403, 200, 404, 403, 403, 200, 403]),
    ("POST", "/v1/objections",                     [401, 403, 403, 201, 404, 403, 403, 403, 403]),
    ("GET", "/v1/objections",                      [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("POST", "/v1/objections/{objection}/decision", [401, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("POST", f"/v1/records/{SEED}/withdrawal",     [401, 201, 404, 403, 403, 403, 403, 403, 403]),
    ("GET", "/v1/changes",                         [401, 403, 403, 403, 403, 200, 200, 403, 403]),
    ("GET", "/v1/rulebook",                        [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/lists/judgment-defaulters",       [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/lists/no-such-list",              [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/v1/population",                      [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/rulebook/proposals",              [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/rulebook/nopack/diff?from=1&to=2", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/v1/keys",                            [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/v1/keys/history",                    [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("POST", "/v1/keys",                           [401, 403, 403, 403, 403, 403, 403, 403, 201]),
    ("POST", "/v1/keys/{spare}/revocation",        [401, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/v1/audit/sth",                       [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/audit/sth/1",                     [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/audit/proof/inclusion?leaf_index=0&tree_size=2",
                                                   [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/audit/proof/consistency?first=1&second=2",
                                                   [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/.well-known/jwks.json",              [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/v1/attestations/p-1",                [401, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("POST", "/v1/attestations/verify",            [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/healthz",                            [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/readyz",                             [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/metrics",                            [200, 200, 200, 200, 200, 200, 200, 200, 200]),
]  # fmt: skip

BODIES: dict[str, Any] = {
    "/v1/records": record("p-1", ref="TP-policy"),
    "/v1/checks": {"subject": "p-1", "context": "rail.high-speed-ticket"},
    "/v1/keys": {"role": "subject", "id": "p-3"},
    "/v1/attestations/verify": {"token": "not a token"},
    "/v1/objections": {"record_id": SEED, "reason": "not mine"},
    "/v1/objections/{objection}/decision": {"outcome": "upheld", "note": "it stands"},
    f"/v1/records/{SEED}/withdrawal": {"reason": "entered in error"},
}


def test_the_table_covers_every_route(make_api: MakeApi) -> None:
    api = make_api()
    routes = {
        (method.upper(), path)
        for path, item in api.app.openapi()["paths"].items()
        for method in item
    }
    tabled = {(m, p.split("?")[0].replace("p-1", "{subject_id}")) for m, p, _ in POLICY}
    tabled = {
        (
            m,
            p.replace("judgment-defaulters", "{list_id}")
            .replace("nopack", "{pack}")
            .replace("{spare}", "{key_id}")
            .replace("{objection}", "{objection_id}")
            .replace(SEED, "{record_id}")
            .replace("/sth/1", "/sth/{tree_size}"),
        )
        for m, p in tabled
    }
    assert routes <= tabled


@pytest.mark.parametrize(
    ("method", "path", "expected"), POLICY, ids=[f"{m} {p}" for m, p, _ in POLICY]
)
def test_each_caller_gets_what_the_policy_says(
    make_api: MakeApi, backend: str, method: str, path: str, expected: list[int]
) -> None:
    api = make_api(backend)
    assert api.post_records(record("p-1", ref="TP-seed")).json()["created"] == 1
    got = []
    for who in WHO:
        target = path
        if "{spare}" in path:
            spare = api.call("POST", "/v1/keys", "admin", json={"role": "reviewer", "id": "x"})
            target = path.replace("{spare}", spare.json()["key_id"])
        if "{objection}" in path:
            target = path.replace("{objection}", objection_on_the_seed(api))
        response = api.call(method, target, who, json=BODIES.get(path))
        got.append(response.status_code)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
    assert got == expected


def objection_on_the_seed(api: Api) -> str:
    """The open objection on the seed record, filed by its subject the first time it is asked."""
    open_ = api.call("GET", "/v1/subjects/p-1/objections", "subject_a").json()["items"]
    if open_:
        return str(open_[0]["objection_id"])
    filed = api.call("POST", "/v1/objections", "subject_a", json=BODIES["/v1/objections"])
    return str(filed.json()["objection_id"])
