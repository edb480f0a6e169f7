"""What every command shares: the consoles it prints to, its common options, how it reads a
date, and the context it opens on first use (and closes when it ends)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from credo.bootstrap import Context, bootstrap

if TYPE_CHECKING:
    from rich.console import Console

    from credo.adapters.stores.protocol import SubjectReads
    from credo.adapters.stores.sql.sqlite_reads import SqliteReads
    from credo.settings import Settings


class _FirstUse:
    """A rich `Console` made when first printed to: rich takes longer to import than `credo
    --help` may take to answer, and help is printed by Typer, not through these. Anything rich
    itself is handed (a progress bar's console) is the console itself: `real`."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            console = Console(stderr=self._stderr, highlight=False)
            # Piped or captured, a message stays one line, whatever its length, so that a
            # script can grep it; a terminal has it wrapped at its width.
            console.soft_wrap = not console.is_terminal
            self._console = console
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def real(console: Console) -> Console:
    """The console behind `out` or `err`, for rich to hold; any other as it is."""
    return console.real if isinstance(console, _FirstUse) else console


out = cast("Console", _FirstUse(stderr=False))
err = cast("Console", _FirstUse(stderr=True))

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///file.db or postgresql://…); "
        "default CREDO_DATABASE_URL or sqlite:///credo.db.",
        show_default=False,
    ),
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="The date to judge on (YYYY-MM-DD); default today.")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class State:
    db: str | None = None
    _context: Context | None = None
    _reads: SqliteReads | None = None

    def settings(self) -> Settings:
        from credo.settings import Settings

        return Settings(database_url=self.db) if self.db else Settings()

    def context(self) -> Context:
        if self._context is None:
            self._context = bootstrap(self.settings())
        return self._context

    def subject_reads(self) -> SubjectReads:
        """For a command that only reads one subject's score: on an SQLite ledger that needs
        nothing done, its reads through `sqlite3` alone (SQLAlchemy would take longer to import
        than the command takes to answer); else the context's store."""
        if self._context is None and self._reads is None:
            from credo.adapters.stores.sql.sqlite_reads import SqliteReads

            self._reads = SqliteReads.open(self.settings().database_url)
        return self._reads or self.context().store

    def close(self) -> None:
        """Release the store's connections: a command ends, its pool ends with it."""
        if self._reads is not None:
            self._reads.close()
            self._reads = None
        if self._context is not None:
            self._context.store.close()
            self._context = None


state = State()


def cli_actor() -> str:
    """Who acts from the command line, as the ledger's admin entries name them: `cli:` and the
    operating system's user (its uid where the system has no name for it)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"cli:{user}"


def parse_date(value: str | None, default: Callable[[], date], *, hint: str = "--as-of") -> date:
    """A date given as YYYY-MM-DD, or `default()` when none is; a bad one is a usage error."""
    if value is None:
        return default()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date as YYYY-MM-DD", param_hint=hint
        ) from None


def as_of_date(value: str | None, ctx: Context) -> date:
    """`--as-of`, by default the context's today."""
    return parse_date(value, ctx.today)
