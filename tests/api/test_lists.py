"""`GET /v1/lists/{id}`: organisations only, paginated, searchable; person lists never."""

from __future__ import annotations

from tests.api.conftest import Api, record


def default(subject: str, kind: str = "organisation", region: str = "CN-SD") -> dict[str, object]:
    return record(
        subject,
        "court.judgment_default",
        f"CT-{subject}",
        kind=kind,
        region=region,
        occurred_at="2026-10-01",
        attributes={"amount": 10_000},
        case_ref=f"C-{subject}",
    )


def test_only_organisations_are_published_a_page_at_a_time(api: Api) -> None:
    orgs = [default(f"o-{i:02}") for i in range(5)]
    persons = [default("p-1", "person", "CN-SD-RC")]
    result = api.post_records([*orgs, *persons]).json()
    assert result["created"] == 6
    first = api.call("GET", "/v1/lists/judgment-defaulters?limit=2").json()
    assert first["packs"] == ["national-org"]
    assert first["kind"] == "black"
    assert [i["subject"] for i in first["items"]] == ["o-00", "o-01"]
    seen = [i["subject"] for i in first["items"]]
    after = first["next"]
    while after:
        page = api.call("GET", f"/v1/lists/judgment-defaulters?limit=2&after={after}").json()
        seen += [i["subject"] for i in page["items"]]
        after = page["next"]
    assert seen == [f"o-{i:02}" for i in range(5)]


def test_search_by_id(api: Api) -> None:
    api.post_records([default("acme-ltd"), default("other-co"), default("ACME-holdings")])
    found = api.call("GET", "/v1/lists/judgment-defaulters?q=acme").json()
    assert [i["subject"] for i in found["items"]] == ["ACME-holdings", "acme-ltd"]


def test_unknown_and_unpublished_lists_are_not_found(api: Api) -> None:
    assert api.call("GET", "/v1/lists/no-such-list").status_code == 404
    body = api.call("GET", "/v1/lists/serious-tax-violators").json()
    assert body["items"] == []
