"""The one place where concrete adapters are chosen and built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from credo.adapters.stores.protocol import LedgerStore
from credo.settings import Settings


def build_store(url: str) -> LedgerStore:
    if url.startswith("memory:"):
        from credo.adapters.stores.memory import MemoryLedgerStore

        return MemoryLedgerStore()
    if url.startswith("sqlite:"):
        from credo.adapters.stores.sqlite import SqliteLedgerStore

        return SqliteLedgerStore(url)
    if url.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
        from credo.adapters.stores.postgres import PostgresLedgerStore

        return PostgresLedgerStore(url)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://…")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """What every use case needs: the store and a clock. Built once per process."""

    settings: Settings
    store: LedgerStore
    clock: Callable[[], datetime] = field(default=_now)

    def today(self) -> date:
        return self.clock().date()


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> Context:
    settings = settings or Settings()
    store = build_store(settings.database_url)
    if migrate:
        store.migrate()
    return Context(settings=settings, store=store)
