"""docs/api.md names every route the API serves, with a curl example, and every setting."""

from __future__ import annotations

import re
from pathlib import Path

from credo.api.settings import ApiSettings
from tests.api.conftest import Api

DOC = (Path(__file__).parents[2] / "docs" / "api.md").read_text()


def test_every_route_is_documented_with_an_example(api: Api) -> None:
    for path, item in api.app.openapi()["paths"].items():
        shown = re.sub(r"\{(subject|list)_id\}", "{id}", path)
        for method in item:
            assert f"{method.upper()} {shown}" in DOC, f"{method.upper()} {shown}"
        prefix = path.split("{")[0].rstrip("/")
        assert f"$API{prefix}" in DOC, f"no curl example for {path}"


def test_every_setting_is_documented() -> None:
    for name in ApiSettings.model_fields:
        assert f"CREDO_{name.upper()}" in DOC, name
