"""`credo pack diff` and the portal's `/rulebook/{pack}/diff`: two versions of a pack compared,
from files or from the versions adopted in the store."""

from __future__ import annotations

from pathlib import Path

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import CredoError, PackInvalid
from credo.domain.rules.pack_diff import PackDiff, diff_packs
from credo.services.packs.check import load_pack
from credo.services.packs.rulebook import current_rulebook


class UnknownVersion(CredoError):
    status = 404
    title = "Not found"


def diff_files(old: Path, new: Path) -> PackDiff:
    """Both files must pass the checker, and be versions of the same pack."""
    before, after = load_pack(old), load_pack(new)
    if before.pack != after.pack:
        raise PackInvalid(
            f"{old} is pack `{before.pack}` and {new} is pack `{after.pack}`: "
            "a diff compares two versions of one pack"
        )
    return diff_packs(before, after)


def diff_adopted(store: LedgerStore, pack: str, old: int, new: int) -> PackDiff:
    history = current_rulebook(store).packs.get(pack)
    if history is None:
        raise UnknownVersion(f"no pack `{pack}` is adopted")
    versions = {v.version: v.pack for v in history.versions}
    for wanted in (old, new):
        if wanted not in versions:
            have = ", ".join(str(v) for v in sorted(versions))
            raise UnknownVersion(f"pack `{pack}` has no version {wanted} (adopted: {have})")
    return diff_packs(versions[old], versions[new])
