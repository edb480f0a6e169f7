"""Signing keys: kept readable by the service alone, rotated without orphaning what the old key
signed, published as a JWK set; tree heads signed and checked with them."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc.jwk import KeySet

from credo.adapters.signing import SigningKeyError, generated, load_keys, rotate
from credo.domain.audit.merkle import leaf_hash
from credo.domain.audit.tree_heads import TreeHead, b64url, head_fault, sign_head

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_first_use_creates_a_key_file_only_its_owner_reads(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing.json"
    keys = load_keys(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.key_id == hashlib.sha256(keys.public_raw).hexdigest()
    assert load_keys(path).key_id == keys.key_id  # the same key next time


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "signing.json"
    load_keys(path)
    os.chmod(path, 0o644)
    with pytest.raises(SigningKeyError, match="chmod 600"):
        load_keys(path)


def test_the_environment_gives_the_key(tmp_path: Path) -> None:
    source = generated()
    raw = source.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    keys = load_keys(tmp_path / "absent.json", from_env=b64url(raw))
    assert keys.key_id == source.key_id
    assert not (tmp_path / "absent.json").exists()
    with pytest.raises(SigningKeyError, match="CREDO_SIGNING_KEY"):
        load_keys(tmp_path / "absent.json", from_env="not-a-key")


def test_rotation_keeps_old_public_keys_published(tmp_path: Path) -> None:
    path = tmp_path / "signing.json"
    old = load_keys(path)
    head = sign_head(old, 3, leaf_hash(b"root"), AT)
    new = rotate(path)
    assert new.key_id != old.key_id
    assert load_keys(path).key_id == new.key_id
    held = orjson.loads(path.read_bytes())["keys"]
    assert ["private" in k for k in held] == [False, True]  # the old private key is forgotten
    assert head_fault(head, new.public_keys()) is None
    jwks = KeySet.import_key_set(new.jwks())  # a JOSE library reads the set as published
    assert {k.kid for k in jwks.keys} == {old.key_id, new.key_id}


def test_a_head_verifies_and_any_change_is_named() -> None:
    keys = generated()
    head = sign_head(keys, 7, leaf_hash(b"root"), AT)
    published = keys.public_keys()
    assert head_fault(head, published) is None
    assert TreeHead.from_json(head.to_json()) == head
    forged = TreeHead(8, head.root_hash, head.timestamp, head.key_id, head.signature)
    assert head_fault(forged, published) == "its signature does not match its content"
    other = sign_head(generated(), 7, head.root_hash, AT)
    assert "not among the published keys" in str(head_fault(other, published))
