"""The rulebook for a long-running server: read again at most every few seconds.

Pack versions are adopted rarely and take effect on a date, usually a later one; a server
that asked the database for every pack's text on each request would spend most of a check on
it. A version adopted while the server runs is in use within `ttl` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from credo.adapters.stores.protocol import LedgerStore
from credo.domain.rules.rulebook import Rulebook
from credo.services.packs.rulebook import current_rulebook


class CachedRulebook:
    def __init__(
        self, store: LedgerStore, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store, self.ttl, self.clock = store, ttl, clock
        self._held: tuple[float, Rulebook] | None = None

    def __call__(self) -> Rulebook:
        held = self._held
        now = self.clock()
        if held is None or held[0] <= now:
            # Two threads may both read it at expiry: harmless, and no lock on the hot path.
            held = self._held = (now + self.ttl, current_rulebook(self.store))
        return held[1]
