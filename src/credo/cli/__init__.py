"""The `credo` command line: a thin layer over the services."""

from credo.cli.app import app, main

__all__ = ["app", "main"]
