"""What the portal reads from the environment (CREDO_WEB_*)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDO_", frozen=True)

    web_session_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    """How long a session lasts from signing in; then the browser signs in again."""

    web_secure_cookies: bool = False
    """Send cookies with `Secure`: set it wherever the portal is served over TLS."""

    web_base_url: str = "http://127.0.0.1:8000"
    """Where people reach the portal: the start of the links `credo keys login-link` prints."""
