"""Runs the `credo` command in-process, as a user would from a shell."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from credo.cli.app import main


@dataclass
class Run:
    code: int
    out: str
    err: str


Credo = Callable[..., Run]


@pytest.fixture
def credo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Credo:
    """`credo(*args)` against a fresh SQLite ledger in tmp_path."""
    monkeypatch.setenv("CREDO_DATABASE_URL", f"sqlite:///{tmp_path / 'credo.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["credo", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as e:
            code = int(e.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
