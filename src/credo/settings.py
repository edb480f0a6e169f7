"""Configuration, from the environment (CREDO_*) and command-line flags."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDO_", frozen=True)

    database_url: str = "sqlite:///credo.db"
    """`sqlite:///path` (the default, a file in the working directory) or `postgresql://…`."""

    batch_size: int = 20_000
    """Records per ledger transaction during bulk ingest."""
