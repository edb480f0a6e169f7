"""Settings shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Each generated example scores a small ledger several times: a modest number of examples keeps
# the suite quick, and `HYPOTHESIS_PROFILE=thorough` searches harder before a release.
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _own_directory_without_a_ledger_file(request: pytest.FixtureRequest) -> None:
    # When the ledger is not a file (PostgreSQL), the service keeps its signing keys and webhook
    # secret in the working directory: each such test gets a directory of its own, so no test
    # writes key files into the checkout, and none finds another's.
    if request.node.get_closest_marker("postgres"):
        own: Path = request.getfixturevalue("tmp_path")
        request.getfixturevalue("monkeypatch").chdir(own)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Under pytest-xdist (`--dist loadgroup`), every Spark test runs on one worker: the JVM and
    # its session start once, and two workers never hold two Spark sessions' memory at once.
    for item in items:
        if item.get_closest_marker("spark"):
            item.add_marker(pytest.mark.xdist_group("spark"))
