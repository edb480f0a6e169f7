"""Attestations: issued by the subject about itself, disclosing least by default; checked
offline (signature, key id, expiry, each failure with its verdict) and online (still holds, or
superseded since a day); a QR code decoded back verifies; a rotated key still verifies."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import numpy as np
import orjson
import pytest
import segno
import zxingcpp
from joserfc import jws
from joserfc.jwk import OKPKey

from credo.adapters.signing import generated, load_keys, rotate
from credo.domain.errors import BadSignature
from credo.services.audit.attestations import ALG, qr_code, verify_token
from tests.api.conftest import NOW, TODAY, Api, record
from tests.api.test_checks import on_the_list

RAIL = {"context": "rail.high-speed-ticket"}


def _issue(api: Api, **params: object) -> dict[str, object]:
    answer = api.call("GET", "/v1/attestations/p-1", "subject_a", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _keys(api: Api) -> dict[str, bytes]:
    return api.ctx.signing().public_keys()


def test_a_context_attestation_discloses_its_decision_and_terms_only(api: Api) -> None:
    api.post_records(record(ref="TP-1"))
    body = _issue(api, **RAIL)
    claims = verify_token(str(body["token"]), _keys(api), now=NOW)
    assert claims == body["claims"]
    assert claims["sub"] == "p-1"
    assert (claims["context"], claims["decision"], claims["terms"]) == (
        RAIL["context"],
        "allow",
        {},
    )
    assert not {"score", "tier", "lists"} & claims.keys()
    assert claims["as_of"] == TODAY.isoformat()
    assert (claims["pack"], claims["pack_version"]) == ("rongcheng", 2)
    head = api.call("GET", "/v1/audit/sth").json()
    assert claims["sth"] == {"tree_size": head["tree_size"], "root_hash": head["root_hash"]}
    assert claims["exp"] - claims["iat"] == 30 * 86400  # type: ignore[operator]
    assert str(body["qr_svg"]).startswith("<svg")


def test_disclosures_are_only_those_asked_for(api: Api) -> None:
    api.post_records(record(ref="TP-1"))
    claims = _issue(api, disclose="tier,score", valid_days=3)["claims"]
    assert isinstance(claims, dict)
    assert (claims["tier"], claims["score"]) == ("A", 997)
    assert not {"decision", "lists"} & claims.keys()
    least = _issue(api)["claims"]
    assert isinstance(least, dict)
    assert "tier" in least
    assert "score" not in least
    assert api.call("GET", "/v1/attestations/p-1", "subject_b").status_code == 404
    assert api.call("GET", "/v1/attestations/p-1", "reviewer").status_code == 403
    bad = api.call("GET", "/v1/attestations/p-1", "subject_a", params={"disclose": "health"})
    assert bad.status_code == 422


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["decision"] = "allow" if claims.get("decision") == "deny" else "deny"
    forged = base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_each_failure_has_its_verdict(api: Api, tmp_path: Path) -> None:
    api.post_records(record(ref="TP-1"))
    token = str(_issue(api, **RAIL, valid_days=1)["token"])
    keys = _keys(api)
    cases = {
        "tampered": (_tampered(token), keys, NOW, "signature does not match"),
        "wrong key": (token, {k: generated().public_raw for k in keys}, NOW, "does not match"),
        "unknown kid": (token, {"another": next(iter(keys.values()))}, NOW, "unknown key"),
        "expired": (token, keys, NOW + timedelta(days=1, seconds=1), "expired at"),
        "not a token": ("hello", keys, NOW, "not an attestation"),
    }
    for name, (text, published, now, said) in cases.items():
        with pytest.raises(BadSignature, match=said):
            verify_token(text, published, now=now)
        online = api.call("POST", "/v1/attestations/verify", json={"token": text}).json()
        if name in ("tampered", "not a token"):
            assert online["valid"] is False, name
            assert said in online["problem"], name


def test_a_qr_code_decoded_back_verifies(api: Api) -> None:
    api.post_records(record(ref="TP-1"))
    token = str(_issue(api, **RAIL)["token"])
    rows = list(qr_code(token).matrix_iter(scale=4, border=4))
    image = np.where(np.array(rows, dtype=bool), 0, 255).astype(np.uint8)
    [found] = zxingcpp.read_barcodes(image)
    assert found.text == token
    assert verify_token(found.text, _keys(api), now=NOW)["sub"] == "p-1"
    assert isinstance(segno.make(token), segno.QRCode)


def test_online_verify_says_superseded_once_the_subject_is_listed(api: Api) -> None:
    api.post_records(record(ref="TP-1"))
    token = str(_issue(api, **RAIL)["token"])
    holds = api.call("POST", "/v1/attestations/verify", json={"token": token}).json()
    assert (holds["valid"], holds["holds"], holds["superseded_since"]) == (True, True, None)
    assert "still holds" in holds["verdict"]
    on_the_list(api)  # a judgment default: on the list, denied high-speed rail
    later = api.call("POST", "/v1/attestations/verify", json={"token": token}).json()
    assert (later["valid"], later["holds"]) == (True, False)
    assert later["superseded_since"] == TODAY.isoformat()
    assert f"true on {TODAY}, superseded since {TODAY}" in later["verdict"]


def test_a_rotated_key_still_verifies_what_it_signed(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    old = load_keys(path)

    body = orjson.dumps({"sub": "p-1", "exp": int((NOW + timedelta(days=1)).timestamp())})
    header = {"alg": ALG, "kid": old.key_id}
    token = jws.serialize_compact(header, body, OKPKey.import_key(old.private_key), [ALG])
    new = rotate(path)
    assert new.key_id != old.key_id
    assert verify_token(token, load_keys(path).public_keys(), now=NOW)["sub"] == "p-1"
