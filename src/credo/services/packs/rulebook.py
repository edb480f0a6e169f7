"""The rulebook in force: every adopted pack version, parsed once per set of versions."""

from __future__ import annotations

from functools import lru_cache

from credo.adapters.stores.protocol import StoredPack, SubjectReads
from credo.domain.errors import PackInvalid
from credo.domain.rules.rulebook import PackVersion, Rulebook
from credo.services.packs.check import check_stored_text


def current_rulebook(store: SubjectReads) -> Rulebook:
    return _rulebook(tuple(sorted(store.packs(), key=lambda p: (p.pack_id, p.version))))


@lru_cache(maxsize=8)
def _rulebook(stored: tuple[StoredPack, ...]) -> Rulebook:
    revised = max((p.adopted_at for p in stored), default=None)
    return Rulebook((parse_stored(p) for p in stored), revised_at=revised)


def parse_stored(stored: StoredPack) -> PackVersion:
    name = f"{stored.pack_id} v{stored.version}"
    pack, problems = check_stored_text(stored.source, name)
    if pack is None:
        detail = "; ".join(str(p) for p in problems)
        raise PackInvalid(f"the stored pack {name} no longer passes the checker: {detail}")
    return PackVersion(pack, stored.checksum)
