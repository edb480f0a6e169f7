"""Bulk files as editors and spreadsheets save them: UTF-8 with or without a byte-order mark, and
now and then a line in another encoding, which is reported by its number and never ends the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credo.adapters.readers import NOT_UTF8, Malformed, read_records

BOM = b"\xef\xbb\xbf"
REF = "荣公交罚〔2026〕第0017号"


def one(ref: str) -> dict[str, object]:
    return {"source": "荣成市公安局", "source_ref": ref, "case_ref": "（2026）鲁1082执123号"}


@pytest.mark.parametrize("bom", [b"", BOM], ids=["plain", "bom"])
def test_json_lines_and_json_read_past_a_byte_order_mark(tmp_path: Path, bom: bytes) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_bytes(bom + b"\n".join(json.dumps(one(r)).encode() for r in (REF, "B")) + b"\n")
    assert list(read_records(lines)) == [(1, one(REF)), (2, one("B"))]
    whole = tmp_path / "in.json"
    whole.write_bytes(bom + json.dumps([one(REF)], ensure_ascii=False).encode())
    assert list(read_records(whole)) == [(1, one(REF))]


@pytest.mark.parametrize("bom", [b"", BOM], ids=["plain", "bom"])
def test_csv_reads_past_a_byte_order_mark(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(bom + f"source,source_ref\r\n荣成市公安局,{REF}\r\n".encode())
    assert list(read_records(path)) == [(2, {"source": "荣成市公安局", "source_ref": REF})]


def test_a_csv_line_that_is_not_utf8_is_malformed_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        b"source,source_ref\r\n"
        + f"荣成市公安局,{REF}\r\n".encode("gbk")
        + f"荣成市公安局,{REF}\r\n".encode()
    )
    got = list(read_records(path))
    assert got[0] == (2, Malformed(NOT_UTF8))
    assert got[1] == (3, {"source": "荣成市公安局", "source_ref": REF})


def test_a_json_line_that_is_not_utf8_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps(one(REF), ensure_ascii=False).encode("gbk") + b"\n")
    [(line, value)] = read_records(path)
    assert line == 1
    assert isinstance(value, Malformed)
    assert "UTF-8" in value.reason
