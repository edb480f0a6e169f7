"""Administrators' acts over HTTP: a key made or revoked through the API names the admin key
that did it; a subject reads the entries about its own keys (another subject gets 404); an
administrator reads them all; each entry's leaf has an inclusion proof; no token is shown."""

from __future__ import annotations

from credo.domain.audit.merkle import verify_inclusion
from credo.domain.audit.tree_heads import TreeHead
from tests.api.conftest import Api


def test_a_subject_reads_what_was_done_with_its_keys(api: Api) -> None:
    made = api.call("POST", "/v1/keys", "admin", json={"role": "subject", "id": "p-1"})
    assert made.status_code == 201, made.text
    key_id, token = made.json()["key_id"], made.json()["token"]
    assert api.call("POST", f"/v1/keys/{key_id}/revocation", "admin").status_code == 200
    admin_key = next(k.key_id for k in api.ctx.access.all_keys() if k.role == "admin")

    own = api.call("GET", "/v1/subjects/p-1/keys", "subject_a")
    assert own.status_code == 200, own.text
    items = own.json()["items"]
    assert [(i["kind"], i["actor"], i["data"]["id"]) for i in items] == [
        ("key", "cli:test", "p-1"),  # the fixture's key for subject_a
        ("key", admin_key, "p-1"),
        ("key-revocation", admin_key, "p-1"),
    ]
    assert items[1]["data"]["key_id"] == key_id
    assert token not in own.text
    assert api.call("GET", "/v1/subjects/p-1/keys", "subject_b").status_code == 404
    assert api.call("GET", "/v1/subjects/p-1/keys", "reviewer").status_code == 403

    head = TreeHead.from_json(api.call("GET", "/v1/audit/sth").json())
    proof = api.call(
        "GET",
        "/v1/audit/proof/inclusion",
        params={"leaf_index": items[2]["leaf_index"], "tree_size": head.tree_size},
    ).json()
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    leaf = bytes.fromhex(proof["leaf_hash"])
    assert verify_inclusion(items[2]["leaf_index"], head.tree_size, leaf, path, head.root_hash)


def test_an_administrator_reads_every_act(api: Api) -> None:
    everything = api.call("GET", "/v1/keys/history", "admin")
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert len(body["items"]) == len(api.tokens)  # one key made per caller of the fixture
    assert {i["kind"] for i in body["items"]} == {"key"}
    page = api.call("GET", "/v1/keys/history", "admin", params={"after": 2, "limit": 2}).json()
    assert [i["seq"] for i in page["items"]] == [3, 4]
    assert page["next"] == 4
    assert api.call("GET", "/v1/keys/history", "consumer_a").status_code == 403
