"""Who is calling, and how often: keys read through a short-lived cache, and token buckets."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from credo.adapters.stores.access import AccessStore
from credo.api.problems import RateLimited
from credo.services.access.keys import Caller, authenticate, digest

_MAX_CACHED = 10_000


class KeyCache:
    """What each token stands for, as last read from the store. Unknown tokens are cached too,
    so a flood of bad ones costs the database one read per token per `ttl`."""

    def __init__(
        self,
        access: AccessStore,
        secret: bytes,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.access, self.secret, self.ttl, self.clock = access, secret, ttl, clock
        self._seen: dict[str, tuple[float, Caller | None]] = {}

    def cached(self, token: str) -> tuple[bool, Caller | None]:
        """(True, caller) when the cache can answer without the store."""
        hit = self._seen.get(digest(self.secret, token))
        if hit is not None and hit[0] > self.clock():
            return True, hit[1]
        return False, None

    def lookup(self, token: str) -> Caller | None:
        """Ask the store (blocking), and remember the answer for `ttl` seconds."""
        caller = authenticate(self.access, self.secret, token)
        if self.ttl > 0:
            if len(self._seen) >= _MAX_CACHED:
                self._seen.clear()
            self._seen[digest(self.secret, token)] = (self.clock() + self.ttl, caller)
        return caller


class RateLimiter:
    """A token bucket per caller: `rate` requests a second, up to `burst_seconds` of them at
    once. Each server process keeps its own buckets."""

    def __init__(self, burst_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst_seconds, self.clock = burst_seconds, clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # who: (tokens, at)

    def take(self, who: str, rate: float) -> None:
        """Spend one request, or raise `RateLimited` saying when to come back."""
        capacity = max(1.0, rate * self.burst_seconds)
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(who, (capacity, now))
            tokens = min(capacity, tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[who] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / rate)
                raise RateLimited(
                    f"more than {rate:g} requests a second; try again in {wait} s", max(wait, 1)
                )
            if len(self._buckets) >= _MAX_CACHED and who not in self._buckets:
                self._forget_full(now)
            self._buckets[who] = (tokens - 1.0, now)

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        idle = self.burst_seconds + 1.0
        self._buckets = {w: b for w, b in self._buckets.items() if now - b[1] < idle}
