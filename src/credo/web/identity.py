"""The seam for an identity provider in front of the portal (OpenID Connect, a city's single
sign-on): not implemented here, see docs/portal.md.

A deployment that signs people in elsewhere verifies the provider's ID token (issuer,
audience, signature, expiry) in an implementation of `IdentityProvider`, maps its subject claim
to a credo id (for a citizen, the subject id the ledger knows them by), and opens a session for
the newest live key of that id and role, as a one-time code does (`services.portal.sessions`).
The key then stays what says who may do what; the provider only says who someone is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from credo.services.access.keys import Role


@dataclass(frozen=True, slots=True)
class Identity:
    role: Role
    principal: str  # the credo id: a subject id, a provider's source, a reviewer's id


class IdentityProvider(Protocol):
    def identify(self, claims: Mapping[str, Any]) -> Identity | None:
        """The credo identity for a verified token's claims (`sub`, and whatever the
        deployment maps roles from), or None if this person has none here."""
