"""Properties of the intake boundary, over arbitrary input: no bytes in a bulk file and no JSON
in a request body raise past it, and every line of a file is either a record or a reject naming
that line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.adapters.stores.memory import MemoryLedgerStore
from credo.domain.rules.rulebook import Rulebook
from credo.services.intake.ingest import ingest_file
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.shipped import shipped_packs
from tests.api.conftest import Api, record
from tests.reliability.test_bad_input import HEADER

pytestmark = pytest.mark.reliability

TODAY = date(2026, 11, 22)
BOM = b"\xef\xbb\xbf"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)

STORE = MemoryLedgerStore()
for _path in shipped_packs():
    adopt_pack_file(STORE, _path, now=NOW, actor="cli:test")
RULEBOOK: Rulebook = current_rulebook(STORE)

GOOD = json.dumps(record("p-1", ref="TP-good", source="traffic-police-rc")).encode()
# Lines: valid ones, near misses (a valid line cut, spliced, with a byte changed), and noise.
fragments = st.one_of(
    st.just(GOOD),
    st.binary(max_size=80),
    st.builds(lambda n: GOOD[:n], st.integers(0, len(GOOD))),
    st.builds(
        lambda n, b: GOOD[:n] + bytes([b]) + GOOD[n + 1 :],
        st.integers(0, len(GOOD)),
        st.integers(0, 255),
    ),
    st.sampled_from(
        [b'{"a": 1, "a": 2}', b"1e400", b"18446744073709551616", b'"\\ud800"', b"\xef\xbb\xbf"]
    ),
)
files = st.lists(fragments, max_size=12)


def lines_of(data: bytes) -> int:
    return len(data.splitlines())


def accounted(path: Path, data: bytes, first_line: int) -> None:
    path.write_bytes(data)
    report = ingest_file(STORE, RULEBOOK, path, today=TODAY, now=NOW)
    assert report.created + report.present + len(report.rejected) == report.read
    assert all(first_line <= r.line <= max(lines_of(data), 1) for r in report.rejected)
    assert all(r.reason for r in report.rejected)


@settings(max_examples=150, deadline=None)
@given(files)
def test_every_json_line_is_a_record_or_a_reject_naming_it(chunks: list[bytes]) -> None:
    data = b"\n".join(c.replace(b"\n", b" ") for c in chunks)
    with TemporaryDirectory() as tmp:
        accounted(Path(tmp) / "in.jsonl", data, 1)
        # a byte-order mark opening the file is not part of its first line
        nonblank = sum(1 for raw in data.removeprefix(BOM).split(b"\n") if raw.strip())
        assert (
            ingest_file(STORE, RULEBOOK, Path(tmp) / "in.jsonl", today=TODAY, now=NOW).read
            == nonblank
        )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=60), max_size=10))
def test_every_csv_line_is_a_record_or_a_reject_naming_it(rows: list[bytes]) -> None:
    data = HEADER.encode() + b"\r\n" + b"\r\n".join(rows)
    with TemporaryDirectory() as tmp:
        accounted(Path(tmp) / "in.csv", data, 2)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        json_values,
        st.builds(lambda v: record("p-1") | {"attributes": {"severity": v}}, json_values),
    )
)
def test_no_json_body_raises_past_the_api(api: Api, body: object) -> None:
    got = api.post_records(body)
    assert got.status_code in (200, 400, 413, 422), got.text
    if got.status_code == 200:
        assert all(
            r["status"] in ("created", "already present", "conflict", "rejected")
            for r in got.json()["results"]
        )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_no_body_bytes_raise_past_the_api(api: Api, body: bytes) -> None:
    got = api.call(
        "POST",
        "/v1/records",
        "provider_a",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert got.status_code in (200, 400, 413, 415, 422), got.text
