"""Keys for a demonstration: one of each role, registered for everything the rulebook has."""

from __future__ import annotations

from datetime import datetime

from credo.adapters.stores.access import AccessStore
from credo.domain.rules.rulebook import Rulebook
from credo.services.access.keys import NewKey, Role, create_key


def demo_keys(
    access: AccessStore,
    secret: bytes,
    rulebook: Rulebook,
    *,
    subject_id: str,
    provider_id: str,
    now: datetime,
    actor: str,
) -> dict[Role, NewKey]:
    """A provider (`provider_id`, every record type), a subject (`subject_id`), a consumer
    (every context), a reviewer and an administrator. Each call makes new keys."""
    versions = rulebook.all_versions()
    types = sorted({t for v in versions for t in v.pack.record_types})
    contexts = sorted({m.context for v in versions for m in v.pack.measures})

    def make(
        role: Role,
        principal: str,
        types: list[str] | None = None,
        contexts: list[str] | None = None,
    ) -> NewKey:
        return create_key(
            access,
            secret,
            role=role,
            principal=principal,
            types=types,
            contexts=contexts,
            now=now,
            actor=actor,
        )

    return {
        Role.PROVIDER: make(Role.PROVIDER, provider_id, types=types),
        Role.SUBJECT: make(Role.SUBJECT, subject_id),
        Role.CONSUMER: make(Role.CONSUMER, "demo-consumer", contexts=contexts),
        Role.REVIEWER: make(Role.REVIEWER, "demo-reviewer"),
        Role.ADMIN: make(Role.ADMIN, "demo-admin"),
    }
