"""What SPEC §2 and §3 allow, from the command line: a pack with warnings is checked (exit 0, or 1
with --strict) and adopted; references in Chinese go in through JSON Lines, CSV and Parquet
alike and are withdrawn by the key as written."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from credo.domain.ledger.records import record_id_for
from credo.shipped import shipped_packs
from tests.integration.conftest import Credo
from tests.integration.test_cli import EVIDENCE, RONGCHENG, record, write_jsonl

SPEC_PACK = Path(__file__).parents[1] / "fixtures" / "spec-section-3-pack.yaml"
POLICE = "荣成市公安局交通警察大队"
COURT = "荣成市人民法院"


def test_pack_check_prints_warnings_with_file_and_line_and_exits_0(credo: Credo) -> None:
    run = credo("pack", "check", str(SPEC_PACK))
    assert run.code == 0, run.err
    assert "ok (rongcheng v1, 1 rules, 1 lists, 1 measures, 3 warnings)" in run.out
    lines = run.err.splitlines()
    assert len(lines) == 3  # one a problem, however long: a terminal does not wrap them
    text = SPEC_PACK.read_text().splitlines()
    public = next(n for n, t in enumerate(text, 1) if t.strip().startswith("public:"))
    assert f"{SPEC_PACK}:{public}: warning: lists[0].public: `public: true` publishes " in run.err


def test_pack_check_strict_counts_warnings_as_errors(credo: Credo) -> None:
    run = credo("pack", "check", "--strict", str(SPEC_PACK), RONGCHENG)
    assert run.code == 1
    assert "warning" not in run.err
    assert f"{SPEC_PACK}:" in run.err
    assert "ok (rongcheng v1, 10 rules" in run.out  # the shipped pack has no warning


def test_pack_adopt_adopts_a_pack_with_warnings_and_refuses_one_with_errors(
    credo: Credo, tmp_path: Path
) -> None:
    adopted = credo("pack", "adopt", str(SPEC_PACK))
    assert adopted.code == 0, adopted.err
    assert "adopted: rongcheng v1 (in force from 2026-01-01" in adopted.out
    assert adopted.err.count(": warning: ") == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC_PACK.read_text().replace("valid_days: 365", "valid_days: 99999999"))
    refused = credo("pack", "adopt", str(bad))
    assert refused.code == 1
    assert "rules[0].valid_days: must be at most 36,500" in refused.err
    assert "warning" not in refused.err  # only the errors say why it is refused


def chinese_records() -> list[dict[str, object]]:
    return [
        record("荣公交罚〔2026〕第0017号", source=POLICE, case_ref="鲁交 2026 17"),
        record(
            "（2026）鲁1082执123号",
            source=COURT,
            type="court.judgment_default",
            attributes={"amount": 50_000},
            case_ref="（2026）鲁1082执123号",
        ),
    ]


def held_refs(credo: Credo) -> set[tuple[str, str, str | None]]:
    explained = json.loads(credo("explain", "p-1", "--as-of", "2026-06-01", "--json").out)
    return {(c["source"], c["source_ref"], c.get("case_ref")) for c in explained["contributions"]}


EXPECTED = {
    (POLICE, "荣公交罚〔2026〕第0017号", "鲁交 2026 17"),
    (COURT, "（2026）鲁1082执123号", "（2026）鲁1082执123号"),
}


def test_chinese_references_from_jsonl_are_kept_and_withdrawn_by_their_key(
    credo: Credo, tmp_path: Path
) -> None:
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    ingested = credo("ingest", str(write_jsonl(tmp_path / "in.jsonl", chinese_records())))
    assert ingested.code == 0, ingested.out
    assert held_refs(credo) == EXPECTED
    # The key as a terminal may spell it: decomposed, it is still the same record.
    withdrawn = credo(
        "withdraw",
        POLICE,
        unicodedata.normalize("NFD", "荣公交罚〔2026〕第0017号"),
        "--reason",
        "错",
    )
    assert withdrawn.code == 0, withdrawn.err
    assert record_id_for(POLICE, "荣公交罚〔2026〕第0017号") in withdrawn.out
    assert held_refs(credo) == EXPECTED - {(POLICE, "荣公交罚〔2026〕第0017号", "鲁交 2026 17")}
    bad = credo("withdraw", POLICE, "TP\u200b1", "--reason", "x")
    assert bad.code == 2
    assert "U+200B ZERO WIDTH SPACE" in bad.err


COLUMNS = [
    "subject.id",
    "subject.kind",
    "subject.region",
    "type",
    "occurred_at",
    "source",
    "source_ref",
    "case_ref",
    "attributes.severity",
    "attributes.amount",
    "evidence.uri",
    "evidence.sha256",
]


def csv_row(r: dict[str, object]) -> list[object]:
    subject, attributes = r["subject"], r["attributes"]
    assert isinstance(subject, dict)
    assert isinstance(attributes, dict)
    return [
        subject["id"],
        subject["kind"],
        subject["region"],
        r["type"],
        r["occurred_at"],
        r["source"],
        r["source_ref"],
        r.get("case_ref", ""),
        attributes.get("severity", ""),
        attributes.get("amount", ""),
        EVIDENCE["uri"],
        EVIDENCE["sha256"],
    ]


def test_chinese_references_from_a_csv_with_a_byte_order_mark(credo: Credo, tmp_path: Path) -> None:
    """Spreadsheets save UTF-8 CSV with a byte-order mark; a line in another encoding (GBK
    here) is reported by its number, and the others are kept."""
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in chinese_records():
            w.writerow(csv_row(r))
    gbk = ",".join(map(str, csv_row(record("荣公交罚〔2026〕第0019号", source=POLICE))))
    with path.open("ab") as f:
        f.write(gbk.encode("gbk") + b"\r\n")
    ingested = credo("ingest", str(path))
    assert ingested.code == 1
    assert "3 read, 2 created" in ingested.out
    [reject] = [json.loads(x) for x in (tmp_path / "in.rejects.jsonl").read_text().splitlines()]
    assert reject["line"] == 4
    assert "not UTF-8" in reject["reason"]
    assert held_refs(credo) == EXPECTED


def test_chinese_references_from_parquet(credo: Credo, tmp_path: Path) -> None:
    assert credo("pack", "adopt", *map(str, shipped_packs())).code == 0
    pq.write_table(pa.Table.from_pylist(chinese_records()), tmp_path / "in.parquet")
    ingested = credo("ingest", str(tmp_path / "in.parquet"))
    assert ingested.code == 0, ingested.out
    assert held_refs(credo) == EXPECTED
