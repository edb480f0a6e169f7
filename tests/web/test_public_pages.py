"""The public pages: the rulebook in full, published lists of organisations (never persons)
with search and pages, and the population with no cell under ten subjects."""

from __future__ import annotations

from credo.services.portal.population import Cell, suppress
from tests.api.test_lists import default
from tests.web.conftest import Portal, judgment


def test_the_rulebook_shows_every_version_rule_and_basis(portal: Portal) -> None:
    html = portal.get(None, "/rulebook").text
    for version in portal.api.ctx.store.packs():
        assert f"{version.version}" in html
        assert version.checksum in html
    assert "judgment-default" in html
    assert "Civil Procedure Law of the PRC" in html
    assert 'href="/v1/rulebook"' in html  # its JSON twin


def test_lists_publish_organisations_only_searched_and_paged(portal: Portal) -> None:
    orgs = [default(f"o-{i:02}") for i in range(60)]
    assert portal.api.post_records([*orgs, judgment("p-1")]).json()["created"] == 61
    first = portal.get(None, "/lists/judgment-defaulters").text
    assert "o-00" in first
    assert "o-49" in first
    assert "o-50" not in first
    assert "<code>p-1</code>" not in first
    assert 'rel="next"' in first
    assert 'href="/v1/lists/judgment-defaulters"' in first
    second = portal.get(None, "/lists/judgment-defaulters?after=o-49").text
    assert "o-50" in second
    assert "o-59" in second
    assert 'rel="next"' not in second
    rows = portal.get(None, "/lists/judgment-defaulters?q=o-0", headers={"HX-Request": "true"})
    assert "<html" not in rows.text  # the partial, for htmx
    assert "o-05" in rows.text
    assert "o-15" not in rows.text
    searched = portal.get(None, "/lists/judgment-defaulters?q=p-1").text
    assert "<code>p-1</code>" not in searched
    assert "No organisation on this list" in searched


def test_no_cell_under_ten_and_none_recoverable_from_the_total() -> None:
    cells = suppress([("A", 120), ("B", 4), ("C", 30), ("D", 0)])
    assert cells == [Cell("A", 120), Cell("B", None), Cell("C", None), Cell("D", 0)]
    assert suppress([("A", 12), ("B", 10)]) == [Cell("A", 12), Cell("B", 10)]
    assert suppress([("A", 3), ("B", 2), ("C", 40)]) == [
        Cell("A", None),
        Cell("B", None),
        Cell("C", 40),
    ]


def test_the_population_page_hides_small_cells(portal: Portal) -> None:
    people = [judgment(f"p-{i}", ref=f"J-{i}") for i in range(12)]
    assert portal.api.post_records(people).json()["created"] == 12
    html = portal.get(None, "/population").text
    assert "p-1" not in html
    assert "fewer than 10" in html
    assert ">12<" in html  # the twelve on the list, and their tier
    body = portal.api.call("GET", "/v1/population").json()
    rongcheng = next(p for p in body["packs"] if p["pack"] == "rongcheng")
    assert {"name": "judgment-defaulters", "subjects": 12} in rongcheng["lists"]
    assert all(
        c["subjects"] is None or c["subjects"] == 0 or c["subjects"] >= 10
        for p in body["packs"]
        for c in p["tiers"] + p["lists"]
    )
