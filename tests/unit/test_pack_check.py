"""`credo pack check`: a pack's problems, each with its line, its key and what would be right."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from credo.domain.errors import PackInvalid
from credo.domain.rules.rulebook import checksum
from credo.services.packs.check import (
    PackProblem,
    check_pack_file,
    check_pack_text,
    check_stored_text,
    dotted,
    load_pack,
)
from credo.shipped import packs_dir
from tests.unit.pack_samples import BASE, add, line_of, replace


def problems(text: str, severity: str = "error") -> list[str]:
    """The problems of `severity` as `line: key: message`; the pack comes back if no problem
    is an error."""
    pack, found = check_pack_text(text, "p.yaml")
    assert (pack is None) == any(p.severity == "error" for p in found)
    return [f"{p.line}: {p.key}: {p.message}" for p in found if p.severity == severity]


def only(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_the_base_pack_is_valid() -> None:
    pack, found = check_pack_text(BASE, "p.yaml")
    assert found == []
    assert pack is not None
    assert pack.pack == "rongcheng"
    assert [t.name for t in pack.tiers] == ["AAA", "A", "B", "D"]


def test_a_typo_names_its_line_and_the_key_meant() -> None:
    text = replace("    points: -5\n", "    pionts: -5\n")
    pack, found = check_pack_text(text, "packs/x.yaml")
    assert pack is None
    assert [str(p) for p in found] == [
        f"packs/x.yaml:{line_of(text, 'pionts')}: rules[0].pionts: "
        "unknown key `pionts`; did you mean `points`?"
    ]


def test_an_unknown_key_far_from_any_lists_the_keys() -> None:
    text = replace("score: {base: 1000,", "score: {start: 5, base: 1000,")
    assert only(text) == (
        f"{line_of(text, 'start')}: score.start: "
        "unknown key `start`; the keys here are `base`, `ceiling`, `floor`"
    )


def test_a_typo_inside_scaled_points_is_found_past_the_union() -> None:
    text = replace("each: -10,", "eac: -10,")
    assert only(text).endswith("rules[1].points.eac: unknown key `eac`; did you mean `each`?")


def test_points_of_the_wrong_kind_say_what_points_are() -> None:
    text = replace("    points: -5\n", "    points: lots\n")
    assert only(text) == (
        f"{line_of(text, 'lots')}: rules[0].points: expected a whole number such as -5, "
        "or scaled points {per: FIELD, step: N, each: N}, got `lots`"
    )


def test_a_value_outside_its_choices_suggests_the_nearest() -> None:
    text = replace("effect: deny", "effect: deni")
    assert only(text) == (
        f"{line_of(text, 'deni')}: measures[0].effect: "
        "`deni` is not one of deny, grant; did you mean `deny`?"
    )


def test_a_bad_name_says_what_names_may_hold() -> None:
    text = replace("  tax.arrears:\n", "  Tax Arrears:\n")
    message = only(text)
    assert message.startswith(f'{line_of(text, "Tax Arrears")}: record_types["Tax Arrears"]:')
    assert "lowercase letters, digits" in message


def test_a_date_that_is_no_date() -> None:
    text = replace("effective_from: 2026-01-01", "effective_from: soon")
    assert only(text) == "3: effective_from: expected a date such as 2026-01-01, got `soon`"


def test_a_date_that_does_not_exist_names_its_line() -> None:
    text = replace("effective_from: 2026-01-01", "effective_from: 2026-13-45")
    assert only(text).startswith("3: effective_from: `2026-13-45` cannot be read")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            ("  - {name: A, min: 960}", "  - {name: A, min: 1050}"),
            "tiers[1].min: tiers go from high to low: min 1050 must be below 1050, "
            "the min of `AAA` above it",
            id="equal",
        ),
        pytest.param(
            ("  - {name: B, min: 850}", "  - {name: B, min: 990}"),
            "tiers[2].min: tiers go from high to low: min 990 must be below 960, "
            "the min of `A` above it",
            id="increasing",
        ),
        pytest.param(
            ("  - {name: D, min: null}", "  - {name: D, min: 0}"),
            "tiers[3].min: the last tier must be the catch-all `min: null`",
            id="no-catch-all",
        ),
        pytest.param(
            ("  - {name: B, min: 850}", "  - {name: B, min: 850}\n  - {name: A, min: 700}"),
            "tiers[3].name: tier name `A` is taken by tiers[1]",
            id="duplicate-name",
        ),
    ],
)
def test_tiers_out_of_order(edit: tuple[str, str], message: str) -> None:
    text = replace(*edit)
    assert message in only(text)


def test_a_catch_all_that_is_not_last() -> None:
    text = replace(
        "  - {name: AAA, min: 1050}", "  - {name: Z, min: null}\n  - {name: AAA, min: 1050}"
    )
    assert only(text) == (
        f"{line_of(text, 'name: Z')}: tiers[0].min: only the last tier may have `min: null`; "
        "move `Z` to the end or give it a min"
    )


def test_score_bounds_hold_together() -> None:
    assert only(replace("floor: 0, ceiling: 2000", "floor: 3000, ceiling: 2000")) == (
        "7: score.floor: floor 3000 is above ceiling 2000"
    )
    assert "base 1000 lies outside" in only(replace("ceiling: 2000", "ceiling: 900"))


@pytest.mark.parametrize(
    ("text", "key", "dup"),
    [
        pytest.param(
            replace("  - id: tax-arrears", "  - id: traffic-minor"),
            "rules[1].id",
            "traffic-minor",
            id="rules",
        ),
        pytest.param(
            add("caps", "- {id: civic-yearly, rules: [volunteering], max: 5, basis: x}"),
            "caps[1].id",
            "civic-yearly",
            id="caps",
        ),
        pytest.param(
            add(
                "lists",
                "- {id: judgment-defaulters, kind: red, admit: {record: civic.volunteering},\n"
                "   duration_days: 30, basis: x}",
            ),
            "lists[1].id",
            "judgment-defaulters",
            id="lists",
        ),
        pytest.param(
            replace("  - id: bike-deposit-waived", "  - id: no-high-speed-rail"),
            "measures[1].id",
            "no-high-speed-rail",
            id="measures",
        ),
    ],
)
def test_duplicate_ids(text: str, key: str, dup: str) -> None:
    section = key.split("[")[0]
    assert only(text).endswith(f"{key}: duplicate id `{dup}`: {section}[0] has it already")


def test_a_rule_on_an_undeclared_record_type() -> None:
    text = replace("    record: tax.arrears\n", "    record: tax.arears\n")
    assert only(text) == (
        f"{line_of(text, 'tax.arears')}: rules[1].record: record type `tax.arears` is not "
        "declared in `record_types`; did you mean `tax.arrears`?"
    )


def test_a_list_admitting_an_undeclared_record_type_admits_nothing_and_is_warned() -> None:
    text = replace("admit: {record: court.judgment_default}", "admit: {record: court.fine}")
    assert problems(text) == []
    [warning] = problems(text, "warning")
    assert warning == (
        f"{line_of(text, 'court.fine')}: lists[0].admit.record: record type `court.fine` is "
        "not declared in `record_types` (declared: civic.volunteering, court.judgment_default, "
        "court.judgment_satisfied, tax.arrears, traffic.violation); records of a type no "
        "version of the pack declares are refused at intake, so until one does, this list "
        "admits nothing"
    )


def test_a_list_testing_fields_of_an_undeclared_record_type_is_an_error() -> None:
    text = replace(
        "admit: {record: court.judgment_default}",
        "admit: {record: court.fine, when: {amount: {gte: 1}}}",
    )
    assert only(text).endswith(
        "lists[0].admit.when.amount: field `amount` is not declared by record type "
        "`court.fine` (declared: none)"
    )


def test_a_when_on_an_undeclared_field() -> None:
    text = replace("when: {severity: {lte: 2}}", "when: {severty: {lte: 2}}")
    assert only(text) == (
        f"{line_of(text, 'severty')}: rules[0].when.severty: field `severty` is not declared "
        "by record type `traffic.violation` (declared: severity)"
    )


def test_a_when_with_a_test_that_does_not_fit_the_field() -> None:
    text = replace("when: {severity: {lte: 2}}", "when: {severity: {lte: high}}")
    assert "rules[0].when.severity.lte: 'high' is not an integer" in only(text)


def test_a_when_on_a_value_outside_the_enum() -> None:
    text = replace(
        "      severity: {type: integer, min: 1, max: 5}",
        "      severity: {type: integer, min: 1, max: 5}\n"
        "      road: {type: string, enum: [urban, highway]}",
    )
    text = replace("when: {severity: {lte: 2}}", "when: {road: {in: [urban, higway]}}", text)
    assert only(text).endswith(
        "rules[0].when.road.in: `higway` is not a value of field `road`; did you mean `highway`?"
    )


@pytest.mark.parametrize(
    ("basis", "message"),
    [
        ("", "`basis` is required: the law or decision it rests on"),
        ("    basis: ''\n", "`basis` is empty: name the law or decision this rests on"),
        ("    basis: '   '\n", "`basis` is empty: name the law or decision this rests on"),
    ],
)
def test_a_rule_needs_a_basis(basis: str, message: str) -> None:
    text = replace("    basis: Road Traffic Safety Law, art. 90\n", basis)
    found = only(text)
    assert "rules[0]" in found
    assert message in found


def test_a_list_and_a_measure_need_a_basis_too() -> None:
    text = replace(
        "    basis: Supreme People's Court provisions on judgment defaulters, art. 1\n", ""
    )
    text = replace("    basis: Municipal decision 2025-9\n", "    basis: ''\n", text)
    found = problems(text)
    assert [f.split(": ")[1] for f in found] == ["lists[0].basis", "measures[1].basis"]


def test_a_measure_naming_an_unknown_list() -> None:
    text = replace("when: {list: judgment-defaulters}", "when: {list: judgment-defaulter}")
    assert only(text) == (
        f"{line_of(text, 'judgment-defaulter}')}: measures[0].when.list: no list has id "
        "`judgment-defaulter`; did you mean `judgment-defaulters`?"
    )


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("{tier: [AAA], list: judgment-defaulters}", "`when` names one of `list: LIST` or "
         "`tier: [TIER, ...]`, not both"),
        ("{}", "`when` names one of `list: LIST` or `tier: [TIER, ...]`"),
        ("{tier: [AAA, AA]}", "measures[1].when.tier[1]: no tier is named `AA`"),
        ("{tier: []}", "`tier` needs at least one tier name"),
    ],
)  # fmt: skip
def test_a_grant_measure_names_a_list_or_tiers(when: str, message: str) -> None:
    assert message in only(replace("when: {tier: [AAA]}", f"when: {when}"))


def test_terms_belong_to_grants() -> None:
    text = replace("    effect: deny\n", "    effect: deny\n    terms: {deposit: 500}\n")
    assert only(text).endswith(
        "measures[0].terms: `terms` belong to grant measures; a deny has none"
    )


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("{per: hours, step: 10000, each: -10}", "`per` names a field of `tax.arrears`; `hours`"),
        ("{per: amount, step: 10000, each: 0}", "`each: 0` gives no points"),
        ("{per: amount, step: 10000, each: -10, cap: 100}", "`cap` bounds the total, so it has "
         "the sign of `each` (-10): 100 is not"),
    ],
)  # fmt: skip
def test_scaled_points(points: str, message: str) -> None:
    text = replace("points: {per: amount, step: 10000, each: -10, cap: -100}", f"points: {points}")
    assert message in only(text)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{type: string}", "`per` needs a number field; `amount` is a string"),
        ("{type: number, required: false}", "`per` needs a field every record has"),
    ],
)
def test_scaled_points_need_a_required_number(spec: str, message: str) -> None:
    text = replace("amount: {type: number, min: 0}", f"amount: {spec}")
    assert message in only(text)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{type: integer, min: 5, max: 1}", "severity.min: min 5 is above max 1"),
        ("{type: integer, enum: [a]}", "severity.enum: `enum` lists strings; field `severity`"),
        ("{type: string, min: 1}", "severity.min: `min` bounds numbers; field `severity` is a"),
    ],
)
def test_field_specs(spec: str, message: str) -> None:
    text = replace("severity: {type: integer, min: 1, max: 5}", f"severity: {spec}")
    text = replace("when: {severity: {lte: 2}}", "when: {}", text)
    assert message in only(text)


def test_a_cap_names_existing_reward_rules() -> None:
    text = replace("rules: [volunteering]", "rules: [volunteering, tax-arrears, voluntering]")
    assert problems(text) == [
        f"{line_of(text, 'tax-arrears,')}: caps[0].rules[1]: a cap limits rewards, and rule "
        "`tax-arrears` does not give positive points",
        f"{line_of(text, 'tax-arrears,')}: caps[0].rules[2]: no rule has id `voluntering`; "
        "did you mean `volunteering`?",
    ]


def test_a_rule_behind_one_that_matches_everything_never_applies() -> None:
    text = add("rules", "- {id: tax-again, record: tax.arrears, points: -1, basis: x}")
    assert "rules[3]: rule `tax-again` never applies: rules[1] `tax-arrears`" in only(text)


def test_a_yaml_syntax_error_names_its_line() -> None:
    text = replace("  - {name: A, min: 960}", "  - {name: A, min: 960")
    assert only(text).startswith(f"{line_of(text, 'name: B')}: : YAML syntax:")


def test_a_duplicate_key_names_both_lines() -> None:
    text = replace("    valid_days: 730\n", "    valid_days: 730\n    valid_days: 99\n")
    assert only(text) == (
        f"{line_of(text, 'valid_days: 99')}: rules[1].valid_days: duplicate key `valid_days` "
        f"(first on line {line_of(text, 'valid_days: 730')}); a key may appear once in a mapping"
    )


@pytest.mark.parametrize("path", sorted(packs_dir().glob("*/v*.yaml")), ids=lambda p: p.name)
def test_a_stored_pack_reads_as_the_checker_reads_it(path: Path) -> None:
    """Stored packs are read by the C parser, without lines: the same pack comes back."""
    text = path.read_text()
    assert check_stored_text(text, "p.yaml") == check_pack_text(text, "p.yaml")


@pytest.mark.parametrize(
    "text",
    [
        replace("    valid_days: 730\n", "    valid_days: 730\n    valid_days: 99\n"),
        replace("  - {name: A, min: 960}", "  - {name: A, min: 960"),
        replace("    points: -5\n", "    pionts: -5\n"),
        replace("pack: rongcheng\n", "pack: !secret rongcheng\n"),
    ],
    ids=["duplicate key", "syntax", "unknown key", "foreign tag"],
)
def test_a_stored_pack_that_fails_is_read_again_to_place_its_problems(text: str) -> None:
    pack, found = check_stored_text(text, "p.yaml")
    assert pack is None
    assert found == check_pack_text(text, "p.yaml")[1] != []


def test_every_duplicate_key_is_reported() -> None:
    text = replace("pack: rongcheng\n", "pack: rongcheng\npack: other\n")
    text = replace("  tax.arrears:\n", "  tax.arrears:\n    domain: tax\n", text)
    assert [p.split(": ")[1] for p in problems(text)] == [
        "pack",
        'record_types["tax.arrears"].domain',
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("- a\n- b\n", "a pack is a mapping of keys")],
)
def test_a_file_that_holds_no_pack(text: str, message: str) -> None:
    assert message in only(text)


def test_problems_come_in_file_order() -> None:
    text = replace("effect: deny", "effect: deni")
    text = replace("    points: -5\n", "    pionts: -5\n", text)
    text = replace("  - {name: D, min: null}", "  - {name: D, min: 0}", text)
    lines = [int(p.split(":")[0]) for p in problems(text)]
    assert len(lines) == 2  # tiers are checked once the shape is right
    assert lines == sorted(lines)


def test_a_problem_reads_as_file_line_key_message() -> None:
    assert str(PackProblem("a.yaml", 3, "rules[0].id", "bad")) == "a.yaml:3: rules[0].id: bad"
    assert str(PackProblem("a.yaml", None, "", "cannot be read")) == "a.yaml: cannot be read"
    assert dotted(("record_types", "tax.arrears", "fields", "x", "enum", 2)) == (
        'record_types["tax.arrears"].fields.x.enum[2]'
    )


def test_check_and_load_a_file(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(BASE, encoding="utf-8")
    bad.write_text(replace("    points: -5\n", "    pionts: -5\n"), encoding="utf-8")
    assert load_pack(good).version == 1
    pack, found = check_pack_file(bad)
    assert pack is None
    assert [p.file for p in found] == [str(bad)]
    with pytest.raises(PackInvalid) as raised:
        load_pack(bad)
    assert raised.value.detail == str(found[0])


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    pack, found = check_pack_file(tmp_path / "nope.yaml")
    assert pack is None
    assert len(found) == 1
    assert found[0].line is None
    assert "cannot be read" in found[0].message


def test_the_example_in_the_rulebook_format_is_a_valid_pack() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "rulebook-format.md").read_text(encoding="utf-8")
    section = doc.split("## A small complete pack", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    pack, found = check_pack_text(example, "docs/rulebook-format.md")
    assert [str(p) for p in found] == []
    assert pack is not None
    assert [r.id for r in pack.rules] == [
        "traffic-minor",
        "traffic-serious",
        "judgment-default",
        "volunteering",
    ]


def test_a_fractional_number_of_points() -> None:
    text = replace("    points: -5\n", "    points: -5.5\n")
    assert only(text).endswith("rules[0].points: expected a whole number such as -5, or scaled "
                               "points {per: FIELD, step: N, each: N}, got `-5.5`")  # fmt: skip


@pytest.mark.parametrize("n", range(len(BASE.splitlines())))
def test_any_one_line_removed_gives_problems_or_a_pack_never_a_crash(n: int) -> None:
    lines = BASE.splitlines(keepends=True)
    pack, found = check_pack_text("".join(lines[:n] + lines[n + 1 :]), "p.yaml")
    assert (pack is None) == any(p.severity == "error" for p in found)
    assert all(p.line is not None and p.message for p in found)


def test_a_rule_counts_towards_one_cap_at_most() -> None:
    from credo.services.packs.check import check_pack_file
    from credo.shipped import packs_dir

    text = (packs_dir() / "rongcheng" / "v1.yaml").read_text()
    text = text.replace(
        "caps:\n",
        "caps:\n  - id: blood-only\n    rules: [blood-donation]\n    max: 50\n"
        '    basis: "Test, art. 1"\n',
    )
    from credo.services.packs.check import check_pack_text

    pack, problems = check_pack_text(text, "two-caps.yaml")
    assert pack is None
    assert any("already limited by cap `blood-only`" in str(p) for p in problems)
    assert check_pack_file(packs_dir() / "rongcheng" / "v1.yaml")[0] is not None


@pytest.mark.parametrize("written", ["'2026-06-01'", '"2026-06-01"', "2026-06-01"])
def test_a_date_quoted_or_not_is_a_date(written: str) -> None:
    pack, found = check_pack_text(
        replace("effective_from: 2026-01-01", f"effective_from: {written}"), "p.yaml"
    )
    assert found == []
    assert pack is not None
    assert pack.effective_from == date(2026, 6, 1)


def test_a_quoted_date_is_the_same_pack_as_an_unquoted_one() -> None:
    quoted = check_pack_text(
        replace("effective_from: 2026-01-01", "effective_from: '2026-01-01'"), "p"
    )
    plain = check_pack_text(BASE, "p")
    assert quoted[0] is not None
    assert plain[0] is not None
    assert checksum(quoted[0]) == checksum(plain[0])


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("'soon'", "expected a date such as 2026-01-01, got `soon`"),
        ("'2026-6-1'", "expected a date such as 2026-01-01, got `2026-6-1`"),
        ("'2026-13-45'", "`2026-13-45` is not a date: month must be in 1..12"),
        ("'2026-02-30'", "`2026-02-30` is not a date: day is out of range for month"),
    ],
)
def test_quoted_text_that_is_no_date_is_refused_clearly(written: str, message: str) -> None:
    text = replace("effective_from: 2026-01-01", f"effective_from: {written}")
    assert only(text) == f"3: effective_from: {message}"


def test_a_date_written_as_a_term_is_its_text_quoted_or_not() -> None:
    """Wherever a pack holds text, an unquoted date is the same text as a quoted one."""
    for written in ("2026-12-31", "'2026-12-31'"):
        text = replace("terms: {deposit: 0,", f"terms: {{until: {written}, deposit: 0,")
        pack, found = check_pack_text(text, "p.yaml")
        assert found == []
        assert pack is not None
        assert pack.measures[1].terms["until"] == "2026-12-31"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("    valid_days: 730\n", "    valid_days: 99999999999\n", "rules[1].valid_days"),
        ("    valid_days: 730\n", "    valid_days: 36501\n", "rules[1].valid_days"),
        ("    duration_days: 365\n", "    duration_days: 10000000\n", "lists[0].duration_days"),
        ("window_days: 7,", "window_days: 1000000000,", "objection.window_days"),
        ("review_days: 15}", "review_days: 99999999}", "objection.review_days"),
    ],
)
def test_days_are_bounded_by_a_hundred_years(old: str, new: str, key: str) -> None:
    """A date plus more days than the calendar holds crashed ingest and checks; the checker
    refuses such a pack with the bound instead."""
    text = replace(old, new)
    value = new.split(":")[1].strip(" ,}\n")
    assert only(text) == (
        f"{line_of(text, value)}: {key}: must be at most 36,500 (days run from 1 to 36,500, "
        f"a hundred years), got `{value}`"
    )


@pytest.mark.parametrize("days", [1, 36_500])
def test_the_bounds_of_days_are_allowed(days: int) -> None:
    text = replace("    valid_days: 730\n", f"    valid_days: {days}\n")
    text = replace("    duration_days: 365\n", f"    duration_days: {days}\n", text)
    assert problems(text) == []


def test_zero_days_are_refused() -> None:
    assert only(replace("    duration_days: 365\n", "    duration_days: 0\n")).endswith(
        "lists[0].duration_days: must be at least 1 (days run from 1 to 36,500, a hundred years), "
        "got `0`"
    )


def test_a_repair_on_records_that_need_no_case_ref_is_warned() -> None:
    text = BASE.replace("    case_ref: required\n", "")
    assert problems(text) == []
    assert problems(text, "warning") == [
        f"{line_of(text, 'admit: {record: court')}: lists[0].admit.record: "
        "`court.judgment_default` records need not carry a case_ref, and a repair ends an "
        "entry only by a record of the same subject and case_ref: an entry opened without one "
        "can never be repaired; add `case_ref: required` to record type `court.judgment_default`",
        f"{line_of(text, 'repair: {record: court')}: lists[0].repair.record: "
        "`court.judgment_satisfied` records need not carry a case_ref, and a repair ends an "
        "entry only by a record of the same subject and case_ref: one without it repairs "
        "nothing; add `case_ref: required` to record type `court.judgment_satisfied`",
    ]


def test_a_list_without_a_repair_needs_no_case_ref() -> None:
    text = replace("    repair: {record: court.judgment_satisfied}\n", "")
    text = replace("  court.judgment_default:\n    domain: judicial\n    case_ref: required\n",
                   "  court.judgment_default:\n    domain: judicial\n", text)  # fmt: skip
    assert check_pack_text(text, "p.yaml")[1] == []


def test_case_ref_is_required_or_optional() -> None:
    text = BASE.replace("    case_ref: required\n", "    case_ref: always\n", 1)
    assert only(text) == (
        f'{line_of(text, "always")}: record_types["court.judgment_default"].case_ref: '
        "`always` is not one of required, optional"
    )


def test_the_shipped_packs_raise_no_warning() -> None:
    files = sorted(packs_dir().glob("*/v*.yaml"))
    assert len(files) == 3
    for path in files:
        pack, found = check_pack_file(path, strict=True)
        assert [str(p) for p in found] == []
        assert pack is not None


def test_a_pack_that_does_not_say_case_ref_keeps_its_checksum() -> None:
    """`case_ref: optional` is the default and stays out of the checksum, so a pack written
    before the key existed is the same version it was when adopted."""
    text = BASE.replace("    case_ref: required\n", "")
    said = replace(
        "  court.judgment_default:\n    domain: judicial\n",
        "  court.judgment_default:\n    domain: judicial\n    case_ref: optional\n",
        text,
    )
    silent, explicit, required = (check_pack_text(t, "p")[0] for t in (text, said, BASE))
    assert silent is not None
    assert explicit is not None
    assert required is not None
    assert checksum(silent) == checksum(explicit) != checksum(required)
    assert (
        "case_ref" not in silent.model_dump(mode="json")["record_types"]["court.judgment_default"]
    )


def test_warnings_print_as_file_line_warning_key_message() -> None:
    problem = PackProblem("a.yaml", 3, "lists[0].public", "publishes nothing", "warning")
    assert str(problem) == "a.yaml:3: warning: lists[0].public: publishes nothing"


def test_a_pack_with_only_warnings_loads_and_a_strict_check_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "public.yaml"
    path.write_text(
        replace("    duration_days: 365\n", "    duration_days: 365\n    public: true\n")
    )
    assert load_pack(path).lists[0].public
    pack, found = check_pack_file(path, strict=True)
    assert pack is None
    assert [(p.severity, p.key) for p in found] == [("error", "lists[0].public")]
