"""The one place where concrete adapters are chosen and built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from credo.adapters.engines.protocol import PopulationEngine
from credo.adapters.stores.protocol import LedgerStore
from credo.settings import Settings

if TYPE_CHECKING:
    from credo.adapters.stores.access import AccessStore
    from credo.adapters.stores.feeds import FeedStore
    from credo.adapters.stores.listings import ListingStore
    from credo.adapters.stores.portal import PortalQueries
    from credo.adapters.stores.sessions import SessionStore


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


def build_access(store: LedgerStore) -> AccessStore:
    from credo.adapters.stores.sql import SqlLedgerStore

    if isinstance(store, SqlLedgerStore):
        from credo.adapters.stores.access import SqlAccessStore

        return SqlAccessStore(store.engine)
    return _memory_access()


def build_listings(store: LedgerStore) -> ListingStore:
    from credo.adapters.stores.listings import MemoryListings, SqlListings
    from credo.adapters.stores.sql import SqlLedgerStore

    if isinstance(store, SqlLedgerStore):
        return SqlListings(store.engine)
    return MemoryListings(store)


def build_feeds(store: LedgerStore, access: AccessStore) -> FeedStore:
    from credo.adapters.stores.feeds import MemoryFeeds, SqlFeeds
    from credo.adapters.stores.sql import SqlLedgerStore

    if isinstance(store, SqlLedgerStore):
        return SqlFeeds(store.engine)
    return MemoryFeeds(access, store.ledger_size)


def build_sessions(store: LedgerStore) -> SessionStore:
    from credo.adapters.stores.sessions import MemorySessionStore, SqlSessionStore
    from credo.adapters.stores.sql import SqlLedgerStore

    if isinstance(store, SqlLedgerStore):
        return SqlSessionStore(store.engine)
    return MemorySessionStore()


def build_portal(store: LedgerStore) -> PortalQueries:
    from credo.adapters.stores.portal import MemoryPortalQueries, SqlPortalQueries
    from credo.adapters.stores.sql import SqlLedgerStore

    if isinstance(store, SqlLedgerStore):
        return SqlPortalQueries(store.engine)
    return MemoryPortalQueries(store)


def _memory_access() -> AccessStore:
    from credo.adapters.stores.access import MemoryAccessStore

    return MemoryAccessStore()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """What every use case needs: the store and a clock. Built once per process."""

    settings: Settings
    store: LedgerStore
    clock: Callable[[], datetime] = field(default=_now)
    access: AccessStore = field(init=False)
    listings: ListingStore = field(init=False)
    feeds: FeedStore = field(init=False)
    sessions: SessionStore = field(init=False)
    portal: PortalQueries = field(init=False)

    def __post_init__(self) -> None:
        # Keys, the check log and published lists live beside the ledger, in its database.
        self.access = build_access(self.store)
        self.listings = build_listings(self.store)
        self.feeds = build_feeds(self.store, self.access)
        # The portal's sessions and its read-only figures, in the same database too.
        self.sessions = build_sessions(self.store)
        self.portal = build_portal(self.store)

    def today(self) -> date:
        return self.clock().date()


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> Context:
    settings = settings or Settings()
    store = build_store(settings.database_url)
    if migrate:
        store.migrate()
    return Context(settings=settings, store=store)


def build_engine(name: str) -> PopulationEngine:
    if name == "duckdb":
        from credo.adapters.engines.duckdb_engine import DuckDbEngine

        return DuckDbEngine()
    if name == "spark":
        from credo.adapters.engines.spark_engine import SparkEngine

        return SparkEngine()
    raise ValueError(f"unknown engine {name!r}: use duckdb or spark")
