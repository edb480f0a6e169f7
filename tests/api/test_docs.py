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


def test_every_field_and_parameter_is_described(api: Api) -> None:
    document = api.app.openapi()
    missing = [
        f"{name}.{field}"
        for name, schema in document["components"]["schemas"].items()
        if not name.startswith(("HTTPValidationError", "ValidationError"))
        for field, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("description"), f"{method} {path}"
            body = operation.get("requestBody")
            if body is not None:
                schema = body["content"]["application/json"]["schema"]
                if not (body.get("description") or schema.get("description")):
                    missing.append(f"{method} {path} body")
            missing += [
                f"{method} {path} {p['name']}"
                for p in operation.get("parameters", [])
                if not p.get("description")
            ]
    assert missing == []
