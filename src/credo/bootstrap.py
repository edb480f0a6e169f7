"""The one place where concrete adapters are chosen and built.

Nothing here imports an adapter, the settings or a cryptography library until it is built: the
command line imports this module for every command, `credo --help` included, and pays at start
only for what the command it runs uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credo.adapters.engines.protocol import PopulationEngine
    from credo.adapters.notifiers import Notifier
    from credo.adapters.signing import SigningKeys
    from credo.adapters.stores.access import AccessStore
    from credo.adapters.stores.feeds import FeedStore
    from credo.adapters.stores.listings import ListingStore
    from credo.adapters.stores.portal import PortalQueries
    from credo.adapters.stores.proposals import ProposalStore
    from credo.adapters.stores.protocol import LedgerStore
    from credo.adapters.stores.sessions import SessionStore
    from credo.settings import Settings


def build_store(url: str, keys: SigningKeys | None = None) -> LedgerStore:
    if url.startswith("memory:"):
        from credo.adapters.stores.memory import MemoryLedgerStore

        return MemoryLedgerStore(signer=keys)
    if url.startswith("sqlite:"):
        from credo.adapters.stores.sql.sqlite import SqliteLedgerStore

        return SqliteLedgerStore(url, signer=keys)
    if url.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
        from credo.adapters.stores.sql.postgres import PostgresLedgerStore

        return PostgresLedgerStore(url, signer=keys)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://…")


@dataclass(frozen=True, slots=True)
class Companions:
    """The stores that live beside a ledger, in its database: keys and the check log, the
    published lists, the decision feed and the notices' delivery positions, and the portal's
    sessions and read-only figures."""

    access: AccessStore
    listings: ListingStore
    feeds: FeedStore
    sessions: SessionStore
    portal: PortalQueries
    proposals: ProposalStore


def build_companions(store: LedgerStore) -> Companions:
    """The companions of `store`: in its SQL database, or in memory beside a memory store."""
    from credo.adapters.stores.sql.ledger import SqlLedgerStore

    if isinstance(store, SqlLedgerStore):
        from credo.adapters.stores.access import SqlAccessStore
        from credo.adapters.stores.feeds import SqlFeeds
        from credo.adapters.stores.listings import SqlListings
        from credo.adapters.stores.portal import SqlPortalQueries
        from credo.adapters.stores.proposals import SqlProposals
        from credo.adapters.stores.sessions import SqlSessionStore

        engine = store.engine
        return Companions(
            SqlAccessStore(engine, store),
            SqlListings(engine),
            SqlFeeds(engine),
            SqlSessionStore(engine, store),
            SqlPortalQueries(engine),
            SqlProposals(engine),
        )
    from credo.adapters.stores.access import MemoryAccessStore
    from credo.adapters.stores.feeds import MemoryFeeds
    from credo.adapters.stores.listings import MemoryListings
    from credo.adapters.stores.memory import MemoryLedgerStore
    from credo.adapters.stores.portal import MemoryPortalQueries
    from credo.adapters.stores.proposals import MemoryProposals
    from credo.adapters.stores.sessions import MemorySessionStore

    if not isinstance(store, MemoryLedgerStore):
        raise TypeError(f"no companions for a {type(store).__name__}")
    access = MemoryAccessStore(store)
    return Companions(
        access,
        MemoryListings(store),
        MemoryFeeds(access, store.ledger_size),
        MemorySessionStore(store),
        MemoryPortalQueries(store),
        MemoryProposals(),
    )


def signing_key_path(settings: Settings) -> Path:
    if settings.signing_key_file is not None:
        return settings.signing_key_file
    url = settings.database_url
    if url.startswith("sqlite:"):
        from sqlalchemy.engine import make_url

        database = make_url(url).database
        if database:
            db = Path(database)
            return db.with_name(f"{db.stem}.signing-keys.json")
    return Path("credo.signing-keys.json")


def webhook_secret_path(settings: Settings) -> Path:
    keys = signing_key_path(settings)
    return keys.with_name(keys.name.replace("signing-keys.json", "webhook-secret"))


def build_notifier(
    settings: Settings, *, log: Path | None = None, webhook: str | None = None
) -> Notifier:
    """Where notices go: appended to a JSON-lines file, or POSTed to a webhook signed with
    CREDO_WEBHOOK_SECRET or else the secret in the file beside the signing keys (made on first
    use, for the receiver to check with)."""
    from credo.adapters.notifiers import LogNotifier, WebhookNotifier, webhook_secret

    if (log is None) == (webhook is None):
        raise ValueError("notices go to one place: a log file or a webhook")
    if log is not None:
        return LogNotifier(log)
    assert webhook is not None
    given = settings.webhook_secret
    if given is not None:
        return WebhookNotifier(webhook, secret=given.get_secret_value())
    return WebhookNotifier(webhook, secret=webhook_secret(webhook_secret_path(settings)))


def build_keys(settings: Settings) -> SigningKeys:
    """The service's signing keys; a memory ledger, which lasts one process, gets its own."""
    from credo.adapters.signing import from_secret, generated, load_keys

    secret = settings.signing_key.get_secret_value() if settings.signing_key else None
    if settings.database_url.startswith("memory:") and settings.signing_key_file is None:
        return from_secret(secret) if secret else generated()
    return load_keys(signing_key_path(settings), from_env=secret)


def _now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    """Today as a context with the default clock has it, for a command that opens none."""
    return _now().date()


@dataclass
class Context:
    """What every use case needs: the store and a clock. Built once per process."""

    settings: Settings
    store: LedgerStore
    keys: SigningKeys | None = None  # default: the store's own, which signs its heads
    clock: Callable[[], datetime] = field(default=_now)
    access: AccessStore = field(init=False)
    listings: ListingStore = field(init=False)
    feeds: FeedStore = field(init=False)
    sessions: SessionStore = field(init=False)
    portal: PortalQueries = field(init=False)
    proposals: ProposalStore = field(init=False)

    def __post_init__(self) -> None:
        from credo.adapters.signing import SigningKeys, generated

        if self.keys is None:
            signer = self.store.signer
            self.keys = signer if isinstance(signer, SigningKeys) else generated()
        c = build_companions(self.store)
        self.access, self.listings, self.feeds = c.access, c.listings, c.feeds
        self.sessions, self.portal, self.proposals = c.sessions, c.portal, c.proposals

    def signing(self) -> SigningKeys:
        """The keys that sign the ledger's heads and attestations, old public keys included."""
        assert self.keys is not None  # set in __post_init__
        return self.keys

    def today(self) -> date:
        return self.clock().date()


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> Context:
    if settings is None:
        from credo.settings import Settings

        settings = Settings()
    keys = build_keys(settings)
    store = build_store(settings.database_url, keys)
    if migrate:
        store.migrate()
    return Context(settings=settings, store=store, keys=keys)


def _duckdb() -> PopulationEngine:
    from credo.adapters.engines.duckdb_engine import DuckDbEngine

    return DuckDbEngine()


def _fold() -> PopulationEngine:
    from credo.adapters.engines.fold_engine import FoldEngine

    return FoldEngine()


def _spark() -> PopulationEngine:
    from credo.adapters.engines.spark_engine import SparkEngine

    return SparkEngine()


def _spark_fold() -> PopulationEngine:
    from credo.adapters.engines.spark_fold import SparkFoldEngine

    return SparkFoldEngine()


ENGINES: dict[str, Callable[[], PopulationEngine]] = {
    "fold": _fold,
    "duckdb": _duckdb,
    "spark": _spark,
    "spark-fold": _spark_fold,
}
"""The population engines by name, as `credo recompute --engine` takes them; each is imported
only when built, so a command that needs none loads neither DuckDB nor Spark."""


def build_engine(name: str) -> PopulationEngine:
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}: use {' or '.join(ENGINES)}")
    return ENGINES[name]()
