"""Words the pages translate that reach them as data, not as template text: error titles,
states, roles and kinds. Marked here so the catalogs hold them (`N_` marks without
translating); the templates translate them where they are shown."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    return message


TITLES = [
    N_("Already withdrawn"),
    N_("Conflicting record"),
    N_("Forbidden"),
    N_("Harsher after the fact"),
    N_("Invalid key request"),
    N_("Invalid record"),
    N_("Invalid request"),
    N_("Invalid rulebook"),
    N_("No rulebook governs this subject"),
    N_("No rulebook version in force"),
    N_("Not found"),
    N_("Refused"),
    N_("Store unavailable"),
    N_("Too many requests"),
    N_("Unauthenticated"),
    N_("Unknown query parameter"),
    N_("Request body too large"),
    N_("Pack version conflict"),
    N_("Does not verify"),
    N_("Unreadable image"),
    N_("Nothing to attest"),
    N_("Error"),
]
STATES = [N_("open"), N_("upheld"), N_("overturned"), N_("moot"), N_("decided")]
RECORD_STATUSES = [
    N_("counts"),
    N_("withdrawn"),
    N_("disputed"),
    N_("expired"),
    N_("merged"),
    N_("no-rule"),
    N_("recorded"),
]
ROLES = [N_("provider"), N_("consumer"), N_("subject"), N_("reviewer"), N_("admin")]
KINDS = [N_("person"), N_("organisation"), N_("black list"), N_("red list")]
DECISIONS = [N_("allow"), N_("deny")]
FORM_ERRORS = [
    N_("Say why the record is wrong."),
    N_("The reason and evidence link may hold at most 4,000 characters."),
    N_("The evidence link is a web address (https://…)."),
    N_("A decision needs a note of 1 to 4,000 characters."),
    N_("A withdrawal needs a reason of 1 to 4,000 characters."),
    N_("The form was out of date. Reload the page and try again."),
]

# The labels of a record's card, translated once per page rather than once per record.
RECORD_LABELS = {
    "record": N_("Record"),
    "source": N_("Source"),
    "reference": N_("Reference"),
    "case": N_("Case"),
    "rule": N_("Rule"),
    "no_rule": N_("no rule"),
    "points": N_("Points"),
    "not_counted": N_("not counted"),
    "basis": N_("Basis"),
    "expires": N_("Expires"),
    "details": N_("Details"),
    "evidence": N_("Evidence"),
    "object_by": N_("Object by"),
    "objection": N_("Objection"),
    "object": N_("Object"),
    **{word: word for word in STATES + RECORD_STATUSES},
}
