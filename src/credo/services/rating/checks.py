"""Checks by consumers (SPEC §4.9), each one logged: who asked about whom, when, in which
context, and what they were told. Subjects read that log about themselves.

A check is answered from the subject's materialised score when that still holds today under
the pack version in force: the score keeps the tier and the list entries open, which is all a
measure looks at. Otherwise the subject's ledger is read and scored now. Both give the same
decision (`tests/api/test_stored_checks.py`). Either way the reasons give the last day to object
to each record a list trigger names, by the function that accepts or refuses the objection
(`objection_window`); only those records are read for it."""

from __future__ import annotations

from datetime import date, datetime

from credo.adapters.stores.access import AccessStore, LoggedCheck
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import CredoError
from credo.domain.rules.rulebook import Rulebook
from credo.domain.scoring.measures import Decision, Standing, check, decide
from credo.domain.scoring.score import Assessment, assess
from credo.services.access.keys import Caller
from credo.services.due_process.objections import objection_windows
from credo.services.rating.scores import stored_if_current
from credo.services.rating.subject import subject_ledger


class NotPermitted(CredoError):
    status = 403
    title = "Forbidden"


def run_check(
    store: LedgerStore,
    access: AccessStore,
    consumer: Caller,
    *,
    rulebook: Rulebook,
    subject_id: str,
    context: str,
    today: date,
    now: datetime,
) -> Decision:
    """The decision for one subject in one context today. A consumer checks only in the
    contexts its key is registered for; an answered check is logged before it is returned,
    so no answer leaves without its trace."""
    if context not in consumer.scopes:
        registered = ", ".join(sorted(consumer.scopes))
        raise NotPermitted(
            f"this key is not registered for context {context!r} (registered: {registered})"
        )
    windows = objection_windows(store, rulebook)
    standing = stored_standing(store, rulebook, subject_id, today)
    if standing is not None:
        decision = decide(standing, context, windows=windows)
    else:
        decision = check(_assess(store, rulebook, subject_id, today), context, windows=windows)
    access.log_check(
        LoggedCheck(
            at=now,
            consumer=consumer.principal,
            key_id=consumer.key_id,
            subject_id=subject_id,
            context=context,
            as_of=decision.as_of,
            decision=decision.decision,
            terms=dict(decision.terms),
            measures=tuple(r.measure for r in decision.reasons),
        )
    )
    return decision


def stored_standing(
    store: LedgerStore, rulebook: Rulebook, subject_id: str, today: date
) -> Standing | None:
    """The subject's standing today from its stored score, or None when that score is
    missing, expired, or was computed under another pack version than the one in force."""
    stored = stored_if_current(store, subject_id, today, rulebook)
    if stored is None:
        return None
    version = rulebook.packs[stored.pack_id].require(today)
    return Standing(subject_id, today, version.pack, stored.score, stored.tier, stored.lists)


def check_subject(
    store: LedgerStore, rulebook: Rulebook, subject_id: str, context: str, *, as_of: date
) -> Decision:
    """The decision for one subject in one context on `as_of`, judged on the ledger now and
    not logged: what an operator asks at the command line (`credo check`)."""
    a = _assess(store, rulebook, subject_id, as_of)
    return check(a, context, windows=objection_windows(store, rulebook))


def _assess(store: LedgerStore, rulebook: Rulebook, subject_id: str, on: date) -> Assessment:
    """As `subject.score_subject`, with the rulebook the caller holds."""
    rulebook, records = subject_ledger(store, subject_id, rulebook)
    return assess(subject_id, rulebook, records, on)


def checks_about(
    access: AccessStore, subject_id: str, *, before: int | None = None, limit: int = 50
) -> list[LoggedCheck]:
    """The checks made about a subject, newest first."""
    return access.checks_about(subject_id, before=before, limit=limit)
