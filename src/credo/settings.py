"""Configuration, from the environment (CREDO_*) and command-line flags."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDO_", frozen=True)

    database_url: str = "sqlite:///credo.db"
    """`sqlite:///path` (the default, a file in the working directory) or `postgresql://…`."""

    batch_size: int = 20_000
    """Records per ledger transaction during bulk ingest."""

    signing_key_file: Path | None = None
    """The signing keys (current and retired, SPEC §9), readable by the service alone; default
    beside an SQLite ledger (`credo.db` → `credo.signing-keys.json`), else in the working
    directory. Created with a new key on first use."""

    signing_key: SecretStr | None = None
    """The current signing key itself (base64url of the 32-byte Ed25519 private key), instead
    of the one in the file; the file then only adds retired public keys."""

    issuer: str = "credo"
    """The `iss` of every attestation: the service's public address, where a verifier finds
    `/.well-known/jwks.json`."""

    webhook_secret: SecretStr | None = None
    """The secret notices sent to webhooks are signed with (Standard Webhooks, `whsec_…`);
    default the one in a file beside the signing keys, made on first use."""

    evidence_schemes: frozenset[str] = frozenset({"https"})
    """The schemes an evidence URI may have (`CREDO_EVIDENCE_SCHEMES='["https","s3"]'`)."""
