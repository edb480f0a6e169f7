"""The keys `credo demo` hands out: one per role, each able to do what its role is for."""

from __future__ import annotations

from credo.services.access.demo_keys import demo_keys
from credo.services.access.keys import Role
from tests.api.conftest import NOW, SECRET, Api, record


def test_demo_keys_open_every_audience_route(api: Api) -> None:
    keys = demo_keys(
        api.ctx.access,
        SECRET.encode(),
        api.app.state.api.rulebook(),
        subject_id="p-1",
        provider_id="traffic-police-rc",
        now=NOW,
        actor="cli:test",
    )
    assert set(keys) == set(Role)

    def auth(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[role].token}"}

    posted = api.client.post("/v1/records", json=record(), headers=auth(Role.PROVIDER))
    assert posted.json()["created"] == 1
    check = {"subject": "p-1", "context": "bike.rental"}
    assert api.client.post("/v1/checks", json=check, headers=auth(Role.CONSUMER)).status_code == 200
    for role in (Role.SUBJECT, Role.REVIEWER):
        path = "/v1/subjects/p-1/explanation"
        assert api.client.get(path, headers=auth(role)).status_code == 200
    assert api.client.get("/v1/keys", headers=auth(Role.ADMIN)).status_code == 200
