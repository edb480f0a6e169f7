"""Every golden case, through every engine: each must explain each ledger as the case expects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from credo.domain.errors import InvalidRecord
from credo.domain.ledger.intake import parse_record
from credo.domain.scoring.explanation import explain
from credo.services.packs.check import check_pack_file, check_pack_text, errors
from tests.golden.cases import (
    ROOT,
    GoldenCase,
    case_files,
    iter_cases,
    load_case,
    pack_texts,
    raw_records,
)
from tests.golden.compare import compare, plain
from tests.golden.online import run_online

Engine = Callable[[GoldenCase], dict[str, dict[str, Any]]]

ENGINES: dict[str, Engine] = {"online": run_online}

CASES = case_files()


@pytest.mark.parametrize("path", CASES, ids=[p.relative_to(ROOT).as_posix() for p in CASES])
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_golden_case(engine: str, path: Path) -> None:
    case = load_case(path)
    problems = compare(case.expect, ENGINES[engine](case))
    assert not problems, f"{case.id}: {case.name}\n  " + "\n  ".join(problems)


def test_every_case_expects_every_subject_it_holds() -> None:
    for case in iter_cases():
        assert set(case.expect) == set(case.subjects()), case.id


def test_case_records_are_valid_input() -> None:
    """Cases hold only what intake accepts (declared types, valid attributes, evidence on
    penalties), so an engine fed through ingestion sees the same ledger."""
    far = date(2100, 1, 1)
    for path in CASES:
        case = load_case(path)
        rulebook = case.rulebook()
        for raw, record in zip(raw_records(path), case.records, strict=True):
            try:
                parsed = parse_record(plain(raw), rulebook, far)
            except InvalidRecord as e:
                pytest.fail(f"{case.id}: {record.source_ref}: {e.detail}")
            assert parsed == record, f"{case.id}: {record.source_ref}"


def test_case_packs_pass_the_checker() -> None:
    """Golden cases run on rulebooks credo would adopt, shipped or purpose-made: with no error
    (a warning does not keep a pack from being adopted)."""
    files = sorted((ROOT / "packs").glob("*/v*.yaml")) + sorted(
        (ROOT / "tests" / "golden" / "packs").glob("*.yaml")
    )
    problems = [str(p) for f in files for p in errors(check_pack_file(f)[1])]
    for path in CASES:
        for i, text in enumerate(pack_texts(path)):
            found = check_pack_text(text, f"{path.name}#pack_texts[{i}]")[1]
            problems += [str(p) for p in errors(found)]
    assert not problems, "\n".join(problems)


def test_every_clause_of_scoring_has_a_case() -> None:
    clauses = {c.clause for c in iter_cases()}
    wanted = {"1", *(f"4.{n}" for n in range(1, 10))}
    assert wanted <= clauses, f"no golden case for SPEC clauses {sorted(wanted - clauses)}"


def test_shipped_packs_have_golden_cases() -> None:
    shipped = {p.parent.name for p in (ROOT / "packs").glob("*/v*.yaml")}
    with_cases = {p.parent.parent.name for p in (ROOT / "packs").glob("*/golden/*.yaml")}
    assert shipped == with_cases


def test_compare_reports_what_differs() -> None:
    """The comparison must be able to fail, or the suite above proves nothing."""
    observed = {
        "s": {
            "score": 95,
            "tier": "fair",
            "contributions": [{"source_ref": "A", "points": -5, "rule": "r"}],
            "checks": {"rail": {"decision": "deny", "terms": {}, "reasons": ["m"]}},
        }
    }
    assert compare({"s": {"score": 95, "contributions": [{"source_ref": "A"}]}}, observed) == []
    problems = compare(
        {
            "s": {
                "score": 96,
                "contributions": [{"source_ref": "A", "points": -4}, {"source_ref": "B"}],
                "checks": {"rail": "allow"},
            },
            "t": {"score": 1},
        },
        observed,
    )
    assert len(problems) == 5, problems


def test_explanations_do_not_depend_on_ledger_order() -> None:
    """Engines read records in whatever order their store returns them."""
    for case in iter_cases():
        rulebook = case.rulebook()
        for subject_id, records in case.ledger().items():
            forward = explain(subject_id, rulebook, records, case.as_of)
            backward = explain(subject_id, rulebook, records[::-1], case.as_of)
            assert forward == backward, f"{case.id}: {subject_id}"
