"""Settings shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The Spark tests are the suite's longest lane: they go first, so that under pytest-xdist
    # their worker starts on them while the others share out the rest.
    for item in items:
        if item.get_closest_marker("spark") and "spark" not in item.nodeid:
            raise pytest.UsageError(f"{item.nodeid} is marked spark: its name must say so")
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Every Spark test on one worker (one JVM, one session, its warmed-up code), the others
    test by test to whichever worker is free. The scheduler sees test ids only, so a Spark test
    is one named so, which the collection above insists on. (xdist's `loadgroup` would read
    the `xdist_group` mark, but under pytest 9.2 it can no longer rename the test ids it
    groups by.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SparkOnOneWorker(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return "spark" if "spark" in nodeid else nodeid

    return SparkOnOneWorker(config, log)
