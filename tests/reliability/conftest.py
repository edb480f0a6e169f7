"""The reliability suite runs on the stores of the contract suite and the API of its tests."""

from __future__ import annotations

from tests.api.conftest import api, backend, make_api  # noqa: F401 (fixtures)
from tests.contract.conftest import (  # noqa: F401 (fixtures)
    new_store,
    postgres_schema,
    postgres_url,
    sql_url,
    store,
)
