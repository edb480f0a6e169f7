"""The service's Ed25519 signing keys: the current one signs tree heads and attestations; the
public halves of every key it ever used stay published (a JWK set), so what an earlier key
signed still verifies after a rotation.

The keys live in a JSON file only the service's user may read (created on first use with mode
0600), or the current key is given by the environment (`CREDO_SIGNING_KEY`: the base64url of
its 32-byte private key), in which case the file, if any, only adds retired public keys.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from credo.domain.audit.canonical import rfc3339
from credo.domain.audit.tree_heads import b64url, from_b64url, key_id_of
from credo.domain.errors import CredoError


class SigningKeyError(CredoError):
    title = "Signing key unusable"
    status = 500


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class PublishedKey:
    key_id: str
    public: bytes
    created_at: str

    def jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(self.public),
            "kid": self.key_id,
            "alg": "Ed25519",
            "use": "sig",
        }


class SigningKeys:
    """The current private key and every public key published. A `HeadSigner`."""

    def __init__(self, current: Ed25519PrivateKey, published: list[PublishedKey]) -> None:
        self._current = current
        self.public_raw = _raw_public(current)
        self._key_id = key_id_of(self.public_raw)
        ids = {k.key_id for k in published}
        self.published = published + (
            [] if self._key_id in ids else [PublishedKey(self._key_id, self.public_raw, "")]
        )

    @property
    def key_id(self) -> str:
        return self._key_id

    def sign(self, data: bytes) -> bytes:
        return self._current.sign(data)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        return self._current

    def public_keys(self) -> dict[str, bytes]:
        return {k.key_id: k.public for k in self.published}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk() for k in self.published]}


def generated() -> SigningKeys:
    """A key of its own, kept nowhere: for tests and throwaway stores."""
    return SigningKeys(Ed25519PrivateKey.generate(), [])


def load_keys(path: Path, *, from_env: str | None = None) -> SigningKeys:
    """The keys in `path` (created with a new key if absent), or the environment's key."""
    held = _read(path) if path.exists() else None
    if from_env:
        return from_secret(from_env, _published(held) if held else [])
    if held is None:
        fresh = {"keys": [_entry(Ed25519PrivateKey.generate())]}
        # Two processes starting together: the first file written is the one both use.
        held = fresh if _write(path, fresh, create=True) else _read(path)
    return _from_file(held, path)


def from_secret(secret: str, retired: list[PublishedKey] | None = None) -> SigningKeys:
    """The keys with `secret` (base64url of a raw Ed25519 private key) as the current one."""
    try:
        current = Ed25519PrivateKey.from_private_bytes(from_b64url(secret.strip()))
    except ValueError as e:
        raise SigningKeyError(f"CREDO_SIGNING_KEY is not a base64url Ed25519 key: {e}") from e
    return SigningKeys(current, retired or [])


def rotate(path: Path) -> SigningKeys:
    """Start a new current key; the old private key is forgotten, its public key kept."""
    held = _read(path) if path.exists() else {"keys": []}
    for entry in held["keys"]:
        entry.pop("private", None)
    key = Ed25519PrivateKey.generate()
    held["keys"].append(_entry(key))
    _write(path, held, create=False)
    return _from_file(held, path)


def _entry(key: Ed25519PrivateKey) -> dict[str, str]:
    public = _raw_public(key)
    return {
        "kid": key_id_of(public),
        "public": b64url(public),
        "private": b64url(_raw_private(key)),
        "created_at": rfc3339(datetime.now(UTC)),
    }


def _published(held: dict[str, Any]) -> list[PublishedKey]:
    return [
        PublishedKey(e["kid"], from_b64url(e["public"]), e.get("created_at", ""))
        for e in held["keys"]
    ]


def _from_file(held: dict[str, Any], path: Path) -> SigningKeys:
    current = [e for e in held["keys"] if "private" in e]
    if not current:
        raise SigningKeyError(f"{path} holds no current private key: run credo keys rotate-signing")
    key = Ed25519PrivateKey.from_private_bytes(from_b64url(current[-1]["private"]))
    return SigningKeys(key, _published(held))


def _read(path: Path) -> dict[str, Any]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(
            f"{path} may be read by others (mode {stat.filemode(mode)}): chmod 600 it"
        )
    try:
        held: dict[str, Any] = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as e:
        raise SigningKeyError(f"{path} is not a signing key file: {e}") from e
    return held


def _write(path: Path, held: dict[str, Any], *, create: bool) -> bool:
    """Written beside the file, readable by the owner alone, then put in place: linked when
    creating (False if the file appeared meanwhile), renamed over it otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.new")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(orjson.dumps(held, option=orjson.OPT_INDENT_2))
        out.flush()
        os.fsync(out.fileno())
    if not create:
        os.replace(partial, path)
        return True
    try:
        os.link(partial, path)
    except FileExistsError:
        return False
    finally:
        partial.unlink()
    return True
