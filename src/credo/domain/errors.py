"""The project's own errors. Each carries the HTTP status and exit code it maps to."""

from __future__ import annotations


class CredoError(Exception):
    """Base of every error credo raises on purpose."""

    status: int = 400
    exit_code: int = 1
    title: str = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRecord(CredoError):
    """A record that cannot enter the ledger; `field` names where it went wrong."""

    status = 422
    title = "Invalid record"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {detail}" if field else detail)
        self.field = field


class PackInvalid(CredoError):
    status = 422
    title = "Invalid rulebook"


class PackConflict(CredoError):
    """An adopted pack version is immutable: other content under the same version is refused."""

    status = 409
    title = "Pack version conflict"


class Refused(CredoError):
    """A step the procedure does not allow in the ledger's present state (an objection out of
    time, a second decision, a second withdrawal)."""

    status = 409
    title = "Refused"


class WouldHarden(Refused):
    """A pack version that would judge records already in the ledger more harshly than now
    (SPEC §3: nothing is made harsher after the fact)."""

    title = "Harsher after the fact"


class UnknownSubject(CredoError):
    status = 404
    title = "Not found"
    exit_code = 1


class UnknownRecord(CredoError):
    status = 404
    title = "Not found"


class NoPackGoverns(CredoError):
    status = 422
    title = "No rulebook governs this subject"


class NotInForce(CredoError):
    status = 422
    title = "No rulebook version in force"


class StoreUnavailable(CredoError):
    status = 503
    title = "Store unavailable"


class ProofError(CredoError):
    """A Merkle proof asked for a leaf or size the tree does not have: nothing there."""

    status = 404
    title = "Not found"


class UnknownTreeHead(CredoError):
    status = 404
    title = "Not found"


class BadSignature(CredoError):
    """A signed tree head or an attestation whose signature, key or lifetime does not hold."""

    status = 422
    title = "Does not verify"


def article(noun: str) -> str:
    """`an integer`, `a number`: messages read as sentences."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


SHOWN = 40
"""How much of a bad value a reason quotes: a 200 MB line is named, not repeated."""


def shown(value: object, limit: int = SHOWN) -> str:
    """A value as a reason quotes it: its repr, or the first `limit` characters of it and how
    long it is. A huge integer is described by its size (writing out its digits is itself
    refused past 4,300 of them)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
