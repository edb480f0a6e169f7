"""What the API server reads from the environment (CREDO_*), beside the store's settings."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDO_", frozen=True)

    key_secret: SecretStr | None = None
    """CREDO_KEY_SECRET: the secret API keys are hashed with. Required on PostgreSQL; an SQLite
    ledger keeps a generated one in a file beside it."""

    api_rate: float = Field(default=50.0, gt=0)
    """Requests per second a key may make, unless the key was created with its own rate."""

    api_anonymous_rate: float = Field(default=20.0, gt=0)
    """Requests per second from one client address without a key (and with a bad one)."""

    api_burst_seconds: float = Field(default=2.0, gt=0)
    """How many seconds of the rate a caller may spend at once."""

    api_max_body_bytes: int = Field(default=1_048_576, gt=0)
    """The largest request body accepted; larger ones are answered 413."""

    api_key_cache_seconds: float = Field(default=2.0, ge=0)
    """How long a worker trusts what it last read about a key: a revocation takes effect on
    every worker within this time."""

    api_rulebook_seconds: float = Field(default=2.0, ge=0)
    """How long a worker keeps the rulebook it read: a pack version adopted while the server
    runs is in use within this time."""

    api_threads: int = Field(default=5, ge=1)
    """Requests a worker handles at once, each on a thread of its own: at most the database
    connections it pools (on PostgreSQL 8, and 8 more on demand)."""

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = Field(default=2, ge=1)

    def secret_for(self, database_url: str) -> bytes:
        """The key secret for the ledger at `database_url` (see `credo.services.access.keys`)."""
        from credo.services.access.keys import key_secret

        configured = self.key_secret.get_secret_value() if self.key_secret else None
        return key_secret(configured, database_url)
