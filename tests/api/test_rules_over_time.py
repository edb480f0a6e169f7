"""Subjects move and rulebooks arrive (SPEC §4.1), through the HTTP API on every store: a mover's
records are all accepted and judged each by its own region's pack; a more specific pack adopted
later leaves earlier dates explained as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from credo.services.access.keys import Role, create_key
from credo.services.packs.adopt import adopt_pack_file
from tests.api.conftest import NOW, SECRET, SQL_BACKENDS, Api, MakeApi, record

PACKS = Path(__file__).parents[1] / "golden" / "packs"


def keys(api: Api) -> dict[str, str]:
    made = {
        "police": create_key(
            api.ctx.access,
            SECRET.encode(),
            role=Role.PROVIDER,
            principal="police",
            now=NOW,
            types=["traffic.violation", "court.judgment_default"],
            actor="cli:test",
        ),
        "mover": create_key(
            api.ctx.access,
            SECRET.encode(),
            role=Role.SUBJECT,
            principal="p-9",
            now=NOW,
            actor="cli:test",
        ),
    }
    return {who: {"Authorization": f"Bearer {k.token}"} for who, k in made.items()}  # type: ignore[misc]


def explanation(api: Api, headers: dict[str, str], as_of: str) -> dict[str, Any]:
    got = api.client.get(f"/v1/subjects/p-9/explanation?as_of={as_of}", headers=headers)
    assert got.status_code == 200, got.text
    doc: dict[str, Any] = got.json()
    return doc


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_a_mover_through_the_api(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    for name in ("west-v1", "east-v1"):
        adopt_pack_file(api.ctx.store, PACKS / f"{name}.yaml", now=NOW, actor="cli:test")
    h = keys(api)
    east = record("p-9", ref="E-1", region="XT-E", occurred_at="2024-07-01")
    west = record("p-9", ref="W-1", region="XT-W", occurred_at="2024-03-01")
    for body in (east, west):  # the later one first
        sent = api.client.post("/v1/records", json=body, headers=h["police"])
        assert sent.status_code in (200, 201), sent.text
        assert sent.json()["results"][0]["status"] == "created"
    doc = explanation(api, h["mover"], "2024-09-01")
    assert (doc["pack"], doc["base"], doc["score"]) == ("east", 200, 170)
    assert {c["source_ref"]: c.get("pack") for c in doc["contributions"]} == {
        "W-1": "west",
        "E-1": None,
    }
    assert explanation(api, h["mover"], "2024-05-01")["pack"] == "west"


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_a_more_specific_pack_leaves_the_past_explained_as_it_was(
    make_api: MakeApi, backend: str
) -> None:
    api = make_api(backend)
    adopt_pack_file(api.ctx.store, PACKS / "province-v1.yaml", now=NOW, actor="cli:test")
    h = keys(api)
    default = record(
        "p-9",
        "court.judgment_default",
        "J-1",
        region="XP-CT-T",
        occurred_at="2024-04-01",
        attributes={},
        case_ref="C-1",
    )
    assert api.client.post("/v1/records", json=default, headers=h["police"]).status_code in (
        200,
        201,
    )
    before = explanation(api, h["mover"], "2024-06-01")
    assert (before["pack"], before["score"]) == ("province", 70)

    adopt_pack_file(api.ctx.store, PACKS / "county-v1.yaml", now=NOW, actor="cli:test")
    after = explanation(api, h["mover"], "2024-06-01")
    assert (after["pack"], after["score"], after["lists"]) == ("province", 70, before["lists"])
    now = explanation(api, h["mover"], "2024-10-01")
    assert (now["pack"], now["score"]) == ("county", 20)
    assert [e["since"] for e in now["lists"]] == ["2024-04-01"]
