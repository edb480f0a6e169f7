"""Bad input never costs good input: a corpus of hostile lines in bulk files and API bodies,
each rejected by its line or field with a short reason, and every valid line around it kept."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from credo.adapters.stores.memory import MemoryLedgerStore
from credo.domain.errors import SHOWN
from credo.domain.rules.rulebook import Rulebook
from credo.services.access.keys import InvalidKeyRequest, Role, create_key
from credo.services.intake.ingest import IngestReport, ingest_file
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.shipped import shipped_packs
from tests.api.conftest import Api, record

pytestmark = pytest.mark.reliability

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
SHA = "ab" * 32
REASON_MOST = 300  # characters: a reason names a bad value, it never repeats it
HEADER = (
    "subject.id,subject.kind,subject.region,type,occurred_at,source,source_ref,"
    "attributes.severity,evidence.uri,evidence.sha256"
)


@pytest.fixture
def ledger() -> tuple[MemoryLedgerStore, Rulebook]:
    store = MemoryLedgerStore()
    for path in shipped_packs():
        adopt_pack_file(store, path, now=NOW, actor="cli:test")
    return store, current_rulebook(store)


def line(i: int, severity: str = "2", **more: Any) -> str:
    body = record(f"p-{i}", ref=f"TP-{i}", source="traffic-police-rc") | more
    return json.dumps(body).replace('"severity": 2', f'"severity": {severity}')


def ingest(ledger: tuple[MemoryLedgerStore, Rulebook], path: Path, data: bytes) -> IngestReport:
    path.write_bytes(data)
    store, rulebook = ledger
    report = ingest_file(store, rulebook, path, today=TODAY, now=NOW)
    assert all(len(r.reason) < REASON_MOST for r in report.rejected), report.rejected
    return report


def rejected(report: IngestReport) -> dict[int, str]:
    return {r.line: r.reason for r in report.rejected}


def test_json_lines_corpus(ledger: tuple[MemoryLedgerStore, Rulebook], tmp_path: Path) -> None:
    bad = {
        2: line(2, "18446744073709551616"),
        3: line(3, "1" + "0" * 400),
        4: line(4, "1e30"),
        5: line(5, "-1e19"),
        6: line(6, '2, "severity": 3'),
        7: line(7, subject={"id": "x" * 1_000_000, "kind": "person", "region": "CN-SD-RC"}),
        8: line(8, evidence={"uri": "javascript:alert(1)", "sha256": SHA}),
        9: line(9, evidence={"uri": "file:///etc/passwd", "sha256": SHA}),
        10: line(10, source_ref="R" * 100_000),
        11: json.dumps({"x" * 100_000: 1}),
        12: '{"subject": ',
    }
    lines = [line(1).encode(), *(b.encode() for b in bad.values()), b"\xff\xfe", line(14).encode()]
    bad[13] = "not UTF-8"
    report = ingest(ledger, tmp_path / "in.jsonl", b"\n".join(lines))
    assert report.created == 2  # lines 1 and 14, around every bad one
    reasons = rejected(report)
    assert sorted(reasons) == sorted(bad)
    assert "out of range" in reasons[2]
    assert "malformed JSON" in reasons[3]  # beyond any double: refused by the decoder
    assert "out of range" in reasons[4]
    assert "out of range" in reasons[5]
    assert "'severity' appears twice" in reasons[6]
    assert "1,000,000 characters" in reasons[7]
    assert "'javascript' URI is not accepted" in reasons[8]
    assert "'file' URI is not accepted" in reasons[9]
    assert reasons[10].count("R") <= SHOWN + 5
    assert reasons[11].count("x") <= SHOWN + 5


def test_csv_corpus(ledger: tuple[MemoryLedgerStore, Rulebook], tmp_path: Path) -> None:
    def row(i: int, severity: str = "2", ref: str | None = None) -> bytes:
        ref = ref or f"C-{i}"
        return (
            f"c-{i},person,CN-SD-RC,traffic.violation,2026-03-01,traffic-police-rc,{ref},"
            f"{severity},https://records.example/{i}.pdf,{SHA}\r\n"
        ).encode()

    data = (
        b"\xef\xbb\xbf"  # a byte-order mark, as spreadsheets save
        + HEADER.encode()
        + b"\r\n"
        + row(2)
        + row(3, ref="caf\xe9").replace(b"caf\xc3\xa9", b"caf\xe9")  # one latin-1 byte
        + row(4, ref='"never closed')
        + row(5)
        + row(6, severity="1" * 5000)
        + row(7, severity="18446744073709551616")
        + row(8)
    )
    report = ingest(ledger, tmp_path / "in.csv", data)
    reasons = rejected(report)
    assert sorted(reasons) == [3, 4, 6, 7]
    assert "not UTF-8" in reasons[3]
    assert "quoted value is not closed" in reasons[4]
    assert "5,000 characters" in reasons[6]
    assert "out of range" in reasons[7]
    assert report.created == 3  # rows 2, 5 and 8: the open quote swallowed nothing


def test_other_evidence_schemes_are_a_setting(
    ledger: tuple[MemoryLedgerStore, Rulebook], tmp_path: Path
) -> None:
    store, rulebook = ledger
    path = tmp_path / "in.jsonl"
    path.write_text(line(1, evidence={"uri": "s3://bucket/TP-1.pdf", "sha256": SHA}) + "\n")
    assert ingest_file(store, rulebook, path, today=TODAY, now=NOW).created == 0
    allowed = {"https", "s3"}
    assert ingest_file(store, rulebook, path, today=TODAY, now=NOW, schemes=allowed).created == 1


def test_api_keeps_the_valid_records_of_a_batch_with_huge_numbers(api: Api) -> None:
    good = record("p-1", ref="TP-ok")
    huge = [
        record("p-2", ref=f"TP-h{i}", attributes={"severity": v})
        for i, v in enumerate([2**64, 10**30, 1e30, -(2**63) - 1])
    ]
    got = api.post_records([good, *huge, record("p-3", ref="TP-ok2")])
    assert got.status_code == 200, got.text
    results = got.json()["results"]
    assert [r["status"] for r in results] == ["created", *["rejected"] * 4, "created"]
    assert all("out of range" in r["reason"] for r in results[1:5])


def test_api_reasons_quote_a_prefix(api: Api) -> None:
    got = api.post_records(record("p" * 10_000, ref="TP-1"))
    assert got.status_code in (200, 422), got.text
    assert len(got.text) < 2_000


def test_api_refuses_a_key_sent_twice_and_bodies_not_utf8(api: Api) -> None:
    body = json.dumps(record("p-1", ref="TP-1")).replace(
        '"severity": 2', '"severity": 2, "severity": 5'
    )
    headers = {"Content-Type": "application/json"}
    twice = api.call("POST", "/v1/records", "provider_a", content=body, headers=headers)
    assert twice.status_code == 422, twice.text
    assert "'severity' appears twice" in twice.json()["detail"]
    latin = body.replace("TP-1", "TP-é").encode("latin-1")
    got = api.call("POST", "/v1/records", "provider_a", content=latin, headers=headers)
    assert got.status_code in (400, 422), got.text
    assert api.ctx.store.count_records() == 0


@pytest.mark.parametrize("rate", [0, 1e-300, 0.05, float("inf"), float("nan"), 1e7])
def test_a_key_rate_limit_has_a_sane_range(api: Api, rate: float) -> None:
    with pytest.raises(InvalidKeyRequest, match=r"between 0\.1 and"):
        create_key(
            api.ctx.access,
            b"s",
            role=Role.SUBJECT,
            principal="p-9",
            now=NOW,
            rate=rate,
            actor="cli:test",
        )
    body = {"role": "subject", "id": "p-9", "rate": rate if rate == rate and rate < 1e300 else 0}
    assert api.call("POST", "/v1/keys", "admin", json=body).status_code == 422
