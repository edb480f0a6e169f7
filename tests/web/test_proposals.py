"""The rulebook's changes on the portal and in the API: a diff of two adopted versions, and a
proposal with its report and plots, in both languages; `pack adopt` of it carries it out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.dom import minidom

from credo.adapters.engines.fold_engine import FoldEngine
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.propose import propose_pack_file
from tests.api.conftest import NOW
from tests.web.conftest import Portal, record

V3 = Path(__file__).parents[2] / "docs" / "examples" / "rongcheng-v3.yaml"


def propose(portal: Portal) -> int:
    ctx = portal.api.ctx
    records = [record(f"q-{i}", ref=f"PROP-{i}", attributes={"severity": 3}) for i in range(12)]
    assert portal.api.post_records(records).json()["created"] == 12
    stored, _ = propose_pack_file(
        ctx.store, ctx.proposals, FoldEngine(), V3, as_of=date(2026, 11, 22), now=NOW
    )
    return stored.proposal_id


def test_the_diff_of_two_adopted_versions_and_its_twin(portal: Portal) -> None:
    page = portal.get(None, "/rulebook/rongcheng/diff?from=1&to=2")
    assert page.status_code == 200
    assert "traffic-minor" in page.text
    assert 'href="/v1/rulebook/rongcheng/diff?from=1&amp;to=2"' in page.text
    assert "规则" in portal.get(None, "/rulebook/rongcheng/diff?from=1&to=2&lang=zh").text
    twin = portal.api.call("GET", "/v1/rulebook/rongcheng/diff?from=1&to=2", None).json()
    assert twin["from"]["version"] == 1
    assert ("rule", "traffic-minor", "changed") in {
        (c["part"], c["id"], c["change"]) for c in twin["changes"]
    }
    assert portal.get(None, "/rulebook/rongcheng/diff?from=1&to=9").status_code == 404
    assert portal.api.call("GET", "/v1/rulebook/nope/diff?from=1&to=2", None).status_code == 404


def test_a_proposal_is_public_with_its_report_and_carried_out_by_adoption(
    portal: Portal,
) -> None:
    number = propose(portal)
    page = portal.get(None, "/rulebook/proposals")
    assert page.status_code == 200
    assert f"Proposal {number}: rongcheng version 3" in page.text
    assert "library-long-loans" in page.text  # the diff
    assert "Not adopted." in page.text
    assert "提案" in portal.get(None, "/rulebook/proposals?lang=zh").text
    plot = portal.get(None, f"/rulebook/proposals/{number}/rongcheng-transitions.svg")
    assert plot.status_code == 200
    assert plot.headers["content-type"].startswith("image/svg+xml")
    minidom.parseString(plot.text)
    missing = portal.get(None, f"/rulebook/proposals/{number}/national-org-scores.svg")
    assert missing.status_code == 404

    [listed] = portal.api.call("GET", "/v1/rulebook/proposals", None).json()["items"]
    assert (listed["pack"], listed["version"], listed["adopted_at"]) == ("rongcheng", 3, None)
    assert listed["report"]["packs"][0]["pack"] == "rongcheng"
    assert listed["diff"]["from"]["version"] == 2

    ctx = portal.api.ctx
    adopted = adopt_pack_file(ctx.store, V3, now=NOW, proposals=ctx.proposals, actor="cli:test")
    assert adopted.proposal == number
    [listed] = portal.api.call("GET", "/v1/rulebook/proposals", None).json()["items"]
    assert listed["adopted_at"] is not None
