"""Every page against every kind of caller, the expected statuses from one table, as the API's
policy test does for its routes. Not signed in, a page that needs a session sends the browser
to sign in (303); a role the page is not for is 403; someone else's data is 404, as in the API.
"""

from __future__ import annotations

from credo.domain.ledger.records import record_id_for
from tests.api.test_policy import WHO  # the API's columns, in the same order
from tests.web.conftest import Portal, judgment, record

SEED = record_id_for("traffic-police-rc", "J-1")
OTHER = record_id_for("traffic-police-rc", "TP-2")


#   page                                          anon prA  prB  suA  suB  coA  coB  rev  adm
PAGES: list[tuple[str, str, list[int]]] = [
    ("GET", "/",                                  [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/rulebook",                          [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/population",                        [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/lists/judgment-defaulters",         [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/lists/no-such-list",                [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/login",                             [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/me",                                [303, 403, 403, 200, 200, 403, 403, 403, 403]),
    ("GET", "/me/file.json",                      [303, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("GET", "/me/file.csv",                       [303, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("GET", f"/me/records/{SEED}/objection",      [303, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("GET", "/me/objections/{objection}",         [303, 403, 403, 200, 404, 403, 403, 403, 403]),
    ("POST", "/me/objections",                    [303, 403, 403, 303, 404, 403, 403, 403, 403]),
    ("GET", "/review",                            [303, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("GET", "/review/{objection}",                [303, 403, 403, 403, 403, 403, 403, 200, 403]),
    ("POST", "/review/{objection}/decision",      [303, 403, 403, 403, 403, 403, 403, 303, 403]),
    ("GET", "/provider",                          [303, 200, 200, 403, 403, 403, 403, 403, 403]),
    ("POST", f"/provider/records/{SEED}/withdrawal", [303, 303, 404, 403, 403, 403, 403, 403, 403]),
    ("GET", "/admin",                             [303, 403, 403, 403, 403, 403, 403, 403, 200]),
    ("POST", "/admin/keys",                       [303, 403, 403, 403, 403, 403, 403, 403, 201]),
    ("POST", "/admin/keys/{spare}/revocation",    [303, 403, 403, 403, 403, 403, 403, 403, 303]),
    ("GET", "/verify",                            [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/verify",                           [422, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("GET", "/me/certificate",                    [303, 403, 403, 200, 200, 403, 403, 403, 403]),
    ("POST", "/logout",                           [303, 303, 303, 303, 303, 303, 303, 303, 303]),
]  # fmt: skip

FORMS: dict[str, dict[str, str]] = {
    "/me/objections": {"record_id": OTHER, "reason": "not mine"},
    "/review/{objection}/decision": {"outcome": "upheld", "note": "it stands"},
    f"/provider/records/{SEED}/withdrawal": {"reason": "entered in error"},
    "/admin/keys": {"role": "subject", "id": "p-3"},
    "/verify": {"token": "not a token"},
}


def test_the_table_covers_every_page(portal: Portal) -> None:
    from credo.web.routing import PageRoute

    pages = {
        (method, route.path)
        for route in portal.api.app.routes
        if isinstance(route, PageRoute)
        for method in route.methods
    }
    tabled = {
        (
            m,
            p.replace(SEED, "{record_id}")
            .replace("{objection}", "{objection_id}")
            .replace("{spare}", "{key_id}")
            .replace("judgment-defaulters", "{list_id}"),
        )
        for m, p, _ in PAGES
    }
    assert pages <= tabled


def seed(portal: Portal) -> str:
    """p-1's judgment default (from provider_a), another record of theirs, and an open
    objection to the first."""
    api = portal.api
    answer = api.post_records([judgment("p-1"), record("p-1", ref="TP-2")])
    assert answer.json()["created"] == 2, answer.text
    filed = api.call(
        "POST", "/v1/objections", "subject_a", json={"record_id": SEED, "reason": "paid"}
    )
    assert filed.status_code == 201, filed.text
    return str(filed.json()["objection_id"])


def test_each_caller_gets_what_the_policy_says(portal: Portal) -> None:
    """One ledger for the whole table, row after row: the forms are ordered so that each row's
    writes (an objection, a decision, a withdrawal, a key, signing out last) leave the rows
    after it their meaning."""
    objection = seed(portal)
    wrong = {}
    for method, path, expected in PAGES:
        got = []
        for who in WHO:
            target = path.replace("{objection}", objection)
            if "{spare}" in path:
                spare = portal.api.call(
                    "POST", "/v1/keys", "admin", json={"role": "reviewer", "id": "x"}
                )
                target = target.replace("{spare}", spare.json()["key_id"])
            if method == "GET":
                answer = portal.get(who, target)
            else:
                answer = portal.post(who, target, FORMS.get(path, {}))
            got.append(answer.status_code)
            if answer.status_code != 303:
                assert answer.headers["content-type"].startswith(
                    ("text/html", "application/json", "text/csv")
                ), (method, path, who)
        if got != expected:
            wrong[f"{method} {path}"] = got
    assert wrong == {}
