"""Attestations on the wire (SPEC §9)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class AttestationRead(BaseModel):
    token: str = Field(description="The attestation: a compact JWS signed with Ed25519.")
    claims: dict[str, Any] = Field(description="What the token says, as signed.")
    qr_svg: str = Field(description="The token as a QR code, an SVG image.")


class VerifyRequest(BaseModel):
    """An attestation to check, as its holder showed it."""

    token: str = Field(min_length=1, max_length=8192, description="The token to check.")


class VerificationRead(BaseModel):
    valid: bool = Field(description="Whether the signature, key and expiry hold.")
    problem: str | None = Field(description="What is wrong, when it is not valid.")
    claims: dict[str, Any] | None = Field(description="What it says, when it is valid.")
    holds: bool | None = Field(description="Whether what it states is still true today.")
    superseded_since: date | None = Field(
        description="The first day it no longer held, when it does not."
    )
    verdict: str = Field(description="All of it in a sentence.")
