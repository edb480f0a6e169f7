"""What every command shares: the consoles it prints to, its common options, how it reads a
date, and the context it opens on first use (and closes when it ends)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from credo.bootstrap import Context, bootstrap
from credo.settings import Settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

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

    def settings(self) -> Settings:
        return Settings(database_url=self.db) if self.db else Settings()

    def context(self) -> Context:
        if self._context is None:
            self._context = bootstrap(self.settings())
        return self._context

    def close(self) -> None:
        """Release the store's connections: a command ends, its pool ends with it."""
        if self._context is not None:
            self._context.store.close()
            self._context = None


state = State()


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
