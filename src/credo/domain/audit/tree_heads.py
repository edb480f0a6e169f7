"""Signed tree heads (SPEC §9): the log's size and root at one moment, signed with Ed25519 so
that anyone holding the public key can tell a head the service issued from any other."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credo.domain.audit.canonical import canonical_json, rfc3339
from credo.domain.audit.merkle import Hash


def key_id_of(public_key: bytes) -> str:
    """A key's id: the hex SHA-256 of its raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class HeadSigner(Protocol):
    """What signs: the current key. Held by the stores, which sign each head as they write it."""

    @property
    def key_id(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class TreeHead:
    tree_size: int
    root_hash: Hash
    timestamp: datetime
    key_id: str
    signature: bytes

    def signed_part(self) -> dict[str, Any]:
        return head_body(self.tree_size, self.root_hash, self.timestamp, self.key_id)

    def to_json(self) -> dict[str, Any]:
        return {**self.signed_part(), "signature": b64url(self.signature)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TreeHead:
        return cls(
            tree_size=int(data["tree_size"]),
            root_hash=bytes.fromhex(str(data["root_hash"])),
            timestamp=datetime.fromisoformat(str(data["timestamp"])),
            key_id=str(data["key_id"]),
            signature=from_b64url(str(data["signature"])),
        )


def head_body(tree_size: int, root_hash: Hash, timestamp: datetime, key_id: str) -> dict[str, Any]:
    return {
        "tree_size": tree_size,
        "root_hash": root_hash.hex(),
        "timestamp": rfc3339(timestamp),
        "key_id": key_id,
    }


def sign_head(signer: HeadSigner, tree_size: int, root_hash: Hash, timestamp: datetime) -> TreeHead:
    body = canonical_json(head_body(tree_size, root_hash, timestamp, signer.key_id))
    return TreeHead(tree_size, root_hash, timestamp, signer.key_id, signer.sign(body))


def head_fault(head: TreeHead, public_keys: Mapping[str, bytes]) -> str | None:
    """What is wrong with `head` given the published keys (raw public keys by key id), or
    None when its signature holds."""
    raw = public_keys.get(head.key_id)
    if raw is None:
        return f"it is signed by key {head.key_id[:16]}…, which is not among the published keys"
    if key_id_of(raw) != head.key_id:
        return f"key {head.key_id[:16]}… is published under an id that is not its own"
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(
            head.signature, canonical_json(head.signed_part())
        )
    except InvalidSignature:
        return "its signature does not match its content"
    return None
