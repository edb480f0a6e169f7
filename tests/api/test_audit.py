"""The audit log over HTTP, without a key: heads, proofs that check against them with the RFC's
own algorithms, the published keys, and each record's leaf index in its explanation."""

from __future__ import annotations

from joserfc.jwk import KeySet

from credo.domain.audit.merkle import verify_consistency, verify_inclusion
from credo.domain.audit.tree_heads import TreeHead, from_b64url, head_fault
from tests.api.conftest import Api, MakeApi, record


def _keys(api: Api) -> dict[str, bytes]:
    body = api.call("GET", "/.well-known/jwks.json").json()
    KeySet.import_key_set(body)  # a JOSE library reads it
    return {k["kid"]: from_b64url(k["x"]) for k in body["keys"]}


def test_heads_and_proofs_verify(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    first = TreeHead.from_json(api.call("GET", "/v1/audit/sth").json())
    assert api.post_records([record(ref="TP-1"), record(ref="TP-2")]).status_code == 200
    assert api.post_records(record(ref="TP-3", subject="p-2")).status_code == 200
    latest = TreeHead.from_json(api.call("GET", "/v1/audit/sth").json())
    keys = _keys(api)
    assert head_fault(latest, keys) is None
    assert latest.tree_size > first.tree_size
    again = api.call("GET", f"/v1/audit/sth/{first.tree_size}").json()
    assert TreeHead.from_json(again) == first

    explained = api.call("GET", "/v1/subjects/p-1/explanation", "subject_a").json()
    indexes = [c["leaf_index"] for c in explained["contributions"]]
    assert len(indexes) == 2
    for index in indexes:
        proof = api.call(
            "GET",
            "/v1/audit/proof/inclusion",
            params={"leaf_index": index, "tree_size": latest.tree_size},
        ).json()
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        leaf = bytes.fromhex(proof["leaf_hash"])
        assert verify_inclusion(index, latest.tree_size, leaf, path, latest.root_hash)

    proof = api.call(
        "GET",
        "/v1/audit/proof/consistency",
        params={"first": first.tree_size, "second": latest.tree_size},
    ).json()
    path = [bytes.fromhex(h) for h in proof["consistency_path"]]
    assert verify_consistency(
        first.tree_size, latest.tree_size, first.root_hash, latest.root_hash, path
    )


def test_proofs_outside_a_signed_tree_are_refused(api: Api) -> None:
    size = api.call("GET", "/v1/audit/sth").json()["tree_size"]
    assert api.call("GET", f"/v1/audit/sth/{size + 5}").status_code == 404
    inclusion = "/v1/audit/proof/inclusion"
    answer = api.call("GET", inclusion, params={"leaf_index": size, "tree_size": size})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    unsigned = api.call("GET", inclusion, params={"leaf_index": 0, "tree_size": size + 1})
    assert unsigned.status_code == 404
    consistency = "/v1/audit/proof/consistency"
    backwards = api.call("GET", consistency, params={"first": size, "second": 1})
    assert backwards.status_code == 404
