"""Attestations (SPEC §9): a statement about one subject on one day, which the subject chose to
disclose, with what it was judged by (the pack version, the signed tree head). The JWS that
carries it is made and checked in `services.attestations`; what it says is decided here."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from credo.domain.audit.tree_heads import TreeHead
from credo.domain.errors import CredoError
from credo.domain.scoring.measures import ObjectionWindows, check
from credo.domain.scoring.score import Assessment

Disclosure = Literal["tier", "score", "lists"]
DISCLOSURES: tuple[str, ...] = get_args(Disclosure)

STATEMENT_CLAIMS = ("context", "decision", "terms", "tier", "score", "lists")
"""The claims that say something about the subject; the rest say who, when and by what."""


class BadDisclosure(CredoError):
    status = 422
    title = "Nothing to attest"


@dataclass(frozen=True, slots=True)
class Ask:
    """What the subject asks to have attested."""

    context: str | None
    disclose: frozenset[str]

    @classmethod
    def of(cls, context: str | None, disclose: Collection[str]) -> Ask:
        unknown = sorted(set(disclose) - set(DISCLOSURES))
        if unknown:
            raise BadDisclosure(
                f"cannot disclose {', '.join(unknown)}: choose from {', '.join(DISCLOSURES)}"
            )
        if context is None and not disclose:
            # The least that says anything without a context: the band, not the number.
            return cls(None, frozenset({"tier"}))
        return cls(context, frozenset(disclose))


def statement(a: Assessment, ask: Ask, windows: ObjectionWindows | None) -> dict[str, Any]:
    """What is disclosed about the subject on `a.as_of`: for a context its decision and terms,
    then only the disclosures asked for."""
    said: dict[str, Any] = {}
    if ask.context is not None:
        decided = check(a, ask.context, windows=windows)
        said |= {"context": ask.context, "decision": decided.decision, "terms": decided.terms}
    if "tier" in ask.disclose:
        said["tier"] = a.tier
    if "score" in ask.disclose:
        said["score"] = a.score
    if "lists" in ask.disclose:
        said["lists"] = [
            {"list": e.list_id, "since": e.since.isoformat(), "until": e.until.isoformat()}
            for e in a.lists
        ]
    return said


def claims(
    *,
    issuer: str,
    a: Assessment,
    said: Mapping[str, Any],
    head: TreeHead,
    issued: datetime,
    expires: datetime,
) -> dict[str, Any]:
    return {
        "iss": issuer,
        "sub": a.subject_id,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "as_of": a.as_of.isoformat(),
        "pack": a.version.id,
        "pack_version": a.version.version,
        "pack_checksum": a.version.checksum,
        "sth": {"tree_size": head.tree_size, "root_hash": head.root_hash.hex()},
        **said,
    }


def ask_of(claimed: Mapping[str, Any]) -> Ask:
    """What an attestation's claims disclosed, to judge it again on another day."""
    shown = frozenset(k for k in DISCLOSURES if k in claimed)
    return Ask(claimed.get("context"), shown)


def as_of_of(claimed: Mapping[str, Any]) -> date:
    return date.fromisoformat(str(claimed["as_of"]))
