"""Keys, as an administrator manages them. The token appears once, in the creation's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from credo.api.schemas.common import SEQ_MAX, Reference, SubjectIdStr, Wire
from credo.domain.ledger.ids import NAME_PATTERN
from credo.services.access.keys import MAX_RATE, MIN_RATE, LoggedAct

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


class AdminEntryRead(BaseModel):
    seq: int = Field(description="The entry's number among administrators' acts.")
    leaf_index: int | None = Field(
        description="Its leaf in the audit log: check it with /v1/audit/proof/inclusion."
    )
    kind: str = Field(
        description="`key` (made), `key-revocation`, `login-link` (a one-time sign-in code "
        "issued) or `signing-key-rotation`."
    )
    actor: str = Field(description="Who acted: an administrator's key id, or `cli:<user>`.")
    at: datetime = Field(description="When.")
    data: dict[str, Any] = Field(
        description="What was acted on: a key's `key_id`, `role`, `id` and `scopes` (never its "
        "token), a sign-in code's `expires_at`, a rotation's new and retired key ids."
    )

    @classmethod
    def of(cls, act: LoggedAct) -> AdminEntryRead:
        e = act.entry
        return cls(
            seq=e.seq or 0,
            leaf_index=act.leaf_index,
            kind=e.kind,
            actor=e.actor,
            at=e.at,
            data=e.data,
        )


EntriesAfter = Annotated[
    int, Query(ge=0, le=SEQ_MAX, description="Only entries numbered above this.")
]
EntriesLimit = Annotated[int, Query(ge=1, le=500, description="The most entries to return.")]


class AdminEntriesPage(BaseModel):
    items: list[AdminEntryRead] = Field(description="The entries, oldest first.")
    next: int | None = Field(description="Pass as `after` for the next page; null on the last.")

    @classmethod
    def of(cls, acts: list[LoggedAct], limit: int) -> AdminEntriesPage:
        items = [AdminEntryRead.of(a) for a in acts]
        return cls(items=items, next=items[-1].seq if len(items) == limit else None)
