"""Keys, as an administrator manages them. The token appears once, in the creation's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from credo.api.schemas.common import Reference, SubjectIdStr, Wire
from credo.domain.ids import NAME_PATTERN
from credo.services.access.keys import MAX_RATE, MIN_RATE

Scope = Annotated[str, Field(pattern=NAME_PATTERN)]


RoleName = Literal["provider", "consumer", "subject", "reviewer", "admin"]
Rate = Annotated[
    float | None,
    Field(ge=MIN_RATE, le=MAX_RATE, description="Requests per second; null: the server's default."),
]
Scopes = Annotated[list[Scope], Field(min_length=1, max_length=200)]


class ProviderKeyCreate(Wire):
    role: Literal["provider"] = Field(description="Submits records.")
    id: Reference = Field(description="The provider's source id: its records' `source`.")
    types: Scopes = Field(description="The record types it may submit.")
    rate: Rate = None


class ConsumerKeyCreate(Wire):
    role: Literal["consumer"] = Field(description="Checks subjects.")
    id: Reference = Field(description="The consumer's id.")
    contexts: Scopes = Field(description="The contexts it may check in.")
    rate: Rate = None


class SubjectKeyCreate(Wire):
    role: Literal["subject"] = Field(description="Reads its own score and checks.")
    id: SubjectIdStr
    rate: Rate = None


class StaffKeyCreate(Wire):
    role: Literal["reviewer", "admin"] = Field(
        description="Reviewers read any subject's score; admins manage keys."
    )
    id: Reference = Field(description="Who holds it.")
    rate: Rate = None


KeyCreate = Annotated[
    ProviderKeyCreate | ConsumerKeyCreate | SubjectKeyCreate | StaffKeyCreate,
    Field(discriminator="role"),
]
"""A new key: providers name their record types, consumers their contexts."""


class KeyRead(BaseModel):
    key_id: str = Field(description="The key's public id, for listing and revoking.")
    role: RoleName = Field(description="What the key may do.")
    id: str = Field(description="Who holds it.")
    scopes: list[str] = Field(description="Record types (providers) or contexts (consumers).")
    rate: float | None = Field(description="Requests per second; null: the server's default.")
    created_at: datetime = Field(description="When it was made.")
    revoked_at: datetime | None = Field(description="When it was revoked; null while valid.")


class KeyCreated(KeyRead):
    token: str = Field(description="The bearer token. Shown this once; only its hash is kept.")
