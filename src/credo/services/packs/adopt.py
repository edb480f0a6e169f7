"""Adopting pack versions: checked, immutable, and consistent with the versions before them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from credo.adapters.stores.proposals import ProposalStore
from credo.adapters.stores.protocol import LedgerStore, StoredPack
from credo.domain.errors import PackConflict, PackInvalid, WouldHarden
from credo.domain.ledger.records import LedgerRecord
from credo.domain.ledger.subjects import governs
from credo.domain.rules.hardening import Hardened, hardened
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import PackVersion, Rulebook, checksum
from credo.services.packs.check import PackProblem, check_pack_text, errors, warnings
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.verdicts import rejudge_for_adoption


@dataclass(frozen=True, slots=True)
class Adopted:
    pack: Pack
    checksum: str
    new: bool
    warnings: tuple[PackProblem, ...] = ()
    proposal: int | None = None  # the proposal this adoption carries out


def adopt_pack_file(
    store: LedgerStore,
    path: Path,
    *,
    now: datetime,
    actor: str,
    proposals: ProposalStore | None = None,
) -> Adopted:
    """Adopt the pack in `path`, by `actor` (named in its ledger entry). Errors refuse it,
    every one listed; warnings come back with the adopted pack, for they say what it does not
    do, not that it is wrong. A version adopted as it was proposed carries out that proposal,
    which is marked so."""
    text = path.read_text(encoding="utf-8")
    pack, problems = check_pack_text(text, str(path))
    if pack is None:
        raise PackInvalid("\n".join(str(p) for p in errors(problems)))
    before = current_rulebook(store)
    refuse_inconsistent(before, pack)
    _refuse_harsher(store, before, pack)
    digest = checksum(pack)
    stored = StoredPack(pack.pack, pack.version, pack.effective_from, digest, text, now, actor)
    new = store.adopt_pack(stored)
    if new:
        # The verdicts the new version or pack changes, judged again (a crash before this
        # leaves the store's verdicts by the rulebook before, which the next recompute sees).
        rejudge_for_adoption(store, before, current_rulebook(store), pack)
    carried = None
    if new and proposals is not None:
        carried = proposals.carried_out(pack.pack, pack.version, digest, at=now)
    return Adopted(pack, digest, new, tuple(warnings(problems)), carried)


def refuse_inconsistent(rulebook: Rulebook, pack: Pack) -> None:
    """A pack keeps its jurisdiction and kinds across versions, its versions take effect in
    order, and no two packs govern the same subjects."""
    for other in rulebook.packs.values():
        kinds = set(pack.subject_kinds)
        if other.id == pack.pack:
            if other.jurisdiction != pack.jurisdiction or other.subject_kinds != kinds:
                raise PackConflict(
                    f"pack `{pack.pack}` governs {sorted(other.subject_kinds)} in "
                    f"{other.jurisdiction}; a new version cannot change that"
                )
            for v in other.versions:
                if v.version == pack.version:
                    continue  # the store tells same content from a conflict
                earlier, later = (v, None) if v.version < pack.version else (None, v)
                if earlier and earlier.effective_from >= pack.effective_from:
                    raise PackConflict(
                        f"version {pack.version} must take effect after version "
                        f"{earlier.version} ({earlier.effective_from})"
                    )
                if later and later.effective_from <= pack.effective_from:
                    raise PackConflict(
                        f"version {pack.version} must take effect before version "
                        f"{later.version} ({later.effective_from})"
                    )
        elif other.jurisdiction == pack.jurisdiction and other.subject_kinds & kinds:
            raise PackConflict(
                f"pack `{other.id}` already governs {sorted(other.subject_kinds & kinds)} "
                f"in {pack.jurisdiction}"
            )


SHOWN = 10  # records named when a version is refused for judging them more harshly


@dataclass(frozen=True, slots=True)
class Harsher:
    """The records a version would judge more harshly than the rulebook it is added to."""

    count: int
    first: tuple[Hardened, ...]  # at most SHOWN, in ledger order


def harsher_records(store: LedgerStore, before: Rulebook, pack: Pack) -> Harsher:
    """What `pack` added to `before` would judge more harshly among the store's records. Only
    subjects with a record where the pack governs can be judged differently."""
    if any(v.id == pack.pack and v.version == pack.version for v in before.all_versions()):
        return Harsher(
            0, ()
        )  # the same version again: the store tells same content from a conflict
    after = Rulebook([*before.all_versions(), PackVersion(pack)])
    kinds = set(pack.subject_kinds)
    found: list[Hardened] = []
    count = 0
    for batch in store.iter_records():
        ledgers = [
            records
            for records in _by_subject(batch)
            if records[0].record.subject.kind in kinds
            and any(governs(pack.jurisdiction, lr.record.subject.region) for lr in records)
        ]
        for worse in hardened(before, after, ledgers):
            count += 1
            if len(found) < SHOWN:
                found.append(worse)
    return Harsher(count, tuple(found))


def _refuse_harsher(store: LedgerStore, before: Rulebook, pack: Pack) -> None:
    """Nothing is made harsher after the fact (SPEC §3): a version that would judge a record
    already in the ledger more harshly than the rulebook in force does is refused, naming how
    many and the first of them."""
    harsher = harsher_records(store, before, pack)
    count, found = harsher.count, harsher.first
    if count:
        shown = "; ".join(
            f"{h.record.record_id} ({h.record.source} {h.record.source_ref}, occurred "
            f"{h.record.occurred_at}): {h.how}"
            for h in found
        )
        raise WouldHarden(
            f"pack `{pack.pack}` version {pack.version} (in force from {pack.effective_from}) "
            f"would judge {count} record{'s' if count != 1 else ''} already in the ledger more "
            f"harshly than now, and nothing is made harsher after the fact; "
            f"{'the first ' + str(len(found)) if count > len(found) else 'they'}: {shown}"
        )


def _by_subject(batch: list[LedgerRecord]) -> list[list[LedgerRecord]]:
    ledgers: dict[str, list[LedgerRecord]] = {}
    for lr in batch:
        ledgers.setdefault(lr.record.subject.id, []).append(lr)
    return list(ledgers.values())
