"""Settings shared by the whole suite."""

from __future__ import annotations

import os

from hypothesis import settings

# Each generated example scores a small ledger several times: a modest number of examples keeps
# the suite quick, and `HYPOTHESIS_PROFILE=thorough` searches harder before a release.
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
