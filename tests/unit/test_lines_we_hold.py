"""SPEC §5: every line credo does not cross is refused by the pack checker, with its reason,
and the words near those lines that legitimate packs use are not."""

from __future__ import annotations

import re

import pytest

from credo.domain.rules.grounds import GROUNDS, NOT_GROUNDS, Ground, grounds_named
from credo.services.packs.check import check_pack_text
from tests.unit.pack_samples import BASE, add, line_of, replace


def refusals(text: str) -> list[tuple[str, str]]:
    """(key, message) of each refusal; the pack must come back refused."""
    pack, found = check_pack_text(text, "p.yaml")
    assert pack is None
    return [(p.key, p.message) for p in found if p.message.startswith("refused: ")]


def with_field(spec: str, text: str = BASE) -> str:
    """The base pack with one more field on `traffic.violation`."""
    old = "      severity: {type: integer, min: 1, max: 5}\n"
    return replace(old, old + f"      {spec}\n", text)


_RULE = "- {{id: {id}, record: traffic.violation, points: -1, basis: Law, art. 1}}"

# One pack for each ground, naming it in a different place, so every place is read.
GROUND_CASES = [
    pytest.param(
        replace("title: Rongcheng conduct rulebook", "title: Political loyalty rulebook"),
        "title",
        "credo does not rate political opinion or activity",
        id="politics-title",
    ),
    pytest.param(
        add("rules", _RULE.format(id="election-boycott")),
        "rules[3].id",
        "credo does not rate political opinion or activity",
        id="politics-rule-id",
    ),
    pytest.param(
        add("record_types", "judicial.protest_participation:\n  domain: judicial"),
        'record_types["judicial.protest_participation"]',
        "credo does not rate taking part in protest",
        id="protest-record-type",
    ),
    pytest.param(
        add("rules", _RULE.format(id="petitioning-beijing")),
        "rules[3].id",
        "credo does not rate petitioning the authorities",
        id="petitions-rule-id",
    ),
    pytest.param(
        with_field("church_attendance: {type: boolean}"),
        'record_types["traffic.violation"].fields.church_attendance',
        "credo does not rate religion or belief",
        id="religion-field",
    ),
    pytest.param(
        with_field("group: {type: string, enum: [han, uyghur]}"),
        'record_types["traffic.violation"].fields.group.enum[1]',
        "credo does not rate ethnicity or race",
        id="ethnicity-enum-value",
    ),
    pytest.param(
        replace(
            "    description: A traffic offence decided by the traffic police\n",
            "    description: Trade union membership of the driver\n",
        ),
        'record_types["traffic.violation"].description',
        "credo does not rate trade-union membership or activity",
        id="trade-union-description",
    ),
    pytest.param(
        replace("context: bike.rental", "context: clinic.vaccination-status"),
        "measures[1].context",
        "credo does not rate health",
        id="health-context",
    ),
    pytest.param(
        with_field("face_scan_match: {type: boolean}"),
        'record_types["traffic.violation"].fields.face_scan_match',
        "credo does not rate biometric data",
        id="biometrics-field",
    ),
    pytest.param(
        replace("  - id: judgment-defaulters", "  - id: lgbt-watch"),
        "lists[0].id",
        "credo does not rate sexual life or orientation",
        id="sexual-life-list-id",
    ),
    pytest.param(
        replace(
            "when: {severity: {lte: 2}}",
            "when: {channel: {eq: social media}}",
            with_field("channel: {type: string}"),
        ),
        "rules[0].when.channel.eq",
        "credo does not rate speech or online content",
        id="speech-tested-value",
    ),
    pytest.param(
        replace("terms: {deposit: 0,", "terms: {weibo_posts: 0,"),
        "measures[1].terms.weibo_posts",
        "credo does not rate speech or online content",
        id="speech-term-name",
    ),
    pytest.param(
        with_field("spouse_in_arrears: {type: boolean}"),
        'record_types["traffic.violation"].fields.spouse_in_arrears',
        "a record affects only its own subject",
        id="relationships-field",
    ),
    pytest.param(
        replace("  - {name: A, min: 960}", "  - {name: Family, min: 960}"),
        "tiers[1].name",
        "a record affects only its own subject",
        id="relationships-tier-name",
    ),
    pytest.param(
        replace("pack: rongcheng", "pack: rongcheng-friends"),
        "pack",
        "a record affects only its own subject",
        id="relationships-pack-id",
    ),
]


@pytest.mark.parametrize(("text", "key", "reason"), GROUND_CASES)
def test_a_pack_naming_a_ground_is_refused(text: str, key: str, reason: str) -> None:
    found = refusals(text)
    assert [k for k, _ in found] == [key]
    assert found[0][1].startswith(f"refused: {reason}")
    assert "(SPEC §5)" in found[0][1]


def test_the_refusal_names_the_words_and_the_line() -> None:
    text = with_field("church_attendance: {type: boolean}")
    _, found = check_pack_text(text, "p.yaml")
    assert [str(p) for p in found] == [
        f"p.yaml:{line_of(text, 'church_attendance')}: "
        'record_types["traffic.violation"].fields.church_attendance: '
        "refused: credo does not rate religion or belief (SPEC §5); "
        "the field name says `church`"
    ]


@pytest.mark.parametrize(
    "field", ["other_subject", "related_subject", "debtor_subject_id", "injured_person_id"]
)
def test_a_field_pointing_at_another_subject_is_refused(field: str) -> None:
    found = refusals(with_field(f"{field}: {{type: string}}"))
    assert found == [
        (
            f'record_types["traffic.violation"].fields.{field}',
            "refused: a record affects only its own subject: credo does not rate anyone "
            "through their family, friends, partners or associates (SPEC §5); "
            f"field `{field}` points at another subject",
        )
    ]


CIVIC = "refused: civic rules only reward (points > 0): nobody loses points for not volunteering"


@pytest.mark.parametrize(
    ("points", "key"),
    [
        ("{per: hours, step: 10, each: -1, cap: -20}", "rules[2].points.each"),
        ("-5", "rules[2].points"),
        ("0", "rules[2].points"),
    ],
)
def test_civic_rules_only_reward(points: str, key: str) -> None:
    text = replace("points: {per: hours, step: 10, each: 1, cap: 20}", f"points: {points}")
    text = replace("rules: [volunteering]", "rules: [traffic-minor]", text)
    assert (key, CIVIC) in [(k, m.split(" (SPEC")[0]) for k, m in refusals(text)]


def test_a_black_list_cannot_admit_on_a_civic_record() -> None:
    text = replace("admit: {record: court.judgment_default}", "admit: {record: civic.volunteering}")
    [(key, message)] = refusals(text)
    assert key == "lists[0].admit.record"
    assert message.startswith(CIVIC)


def test_a_deny_measure_on_a_tier_is_refused() -> None:
    text = replace("when: {list: judgment-defaulters}", "when: {tier: [D]}")
    assert refusals(text) == [
        (
            "measures[0].when.tier",
            "refused: a `deny` measure rests on a list, a legal instrument with its own basis "
            "and duration, never on a tier alone (SPEC §5); name a list instead: "
            "`when: {list: LIST}`",
        )
    ]


def test_a_public_list_of_persons_is_never_published_and_is_warned() -> None:
    """SPEC §3: `public` is honoured for organisations only; in a pack that rates persons only
    it publishes nothing, which the checker says as a warning, not a refusal."""
    text = replace("    duration_days: 365\n", "    duration_days: 365\n    public: true\n")
    pack, found = check_pack_text(text, "p.yaml")
    assert pack is not None
    assert [(p.severity, p.key, p.line) for p in found] == [
        ("warning", "lists[0].public", line_of(text, "public: true"))
    ]
    assert "publishes nothing here: this pack rates persons only" in found[0].message


def test_a_public_list_is_allowed_where_the_pack_also_rates_organisations() -> None:
    text = replace("    duration_days: 365\n", "    duration_days: 365\n    public: true\n")
    text = replace("subject_kinds: [person]", "subject_kinds: [person, organisation]", text)
    pack, found = check_pack_text(text, "p.yaml")
    assert found == []
    assert pack is not None
    assert pack.lists[0].public


COVERT_CASES = [
    pytest.param(
        replace("    valid_days: 730\n", "    valid_days: 730\n    hidden: true\n"),
        "rules[1].hidden",
        id="hidden-rule",
    ),
    pytest.param(
        replace("    kind: black\n", "    kind: black\n    visible: false\n"),
        "lists[0].visible",
        id="invisible-list",
    ),
    pytest.param(
        with_field("secret_rating: {type: integer}"),
        'record_types["traffic.violation"].fields.secret_rating',
        id="secret-field",
    ),
    pytest.param(
        replace("objection: {window_days: 7,", "objection: {confidential: true, window_days: 7,"),
        "objection.confidential",
        id="confidential-setting",
    ),
    pytest.param(
        replace("    domain: tax\n", "    domain: tax\n    covert: yes\n"),
        'record_types["tax.arrears"].covert',
        id="covert-record-type",
    ),
]


@pytest.mark.parametrize(("text", "key"), COVERT_CASES)
def test_covert_data_is_refused_not_called_an_unknown_key(text: str, key: str) -> None:
    pack, found = check_pack_text(text, "p.yaml")
    assert pack is None
    assert [p.key for p in found] == [key]
    assert found[0].message.startswith(
        "refused: nothing is secret from its subject: every record is visible to its subject"
    )


def test_a_visible_true_is_no_refusal_but_still_an_unknown_key() -> None:
    text = replace("    kind: black\n", "    kind: black\n    visible: true\n")
    pack, found = check_pack_text(text, "p.yaml")
    assert pack is None
    assert [p.message for p in found] == [
        "unknown key `visible`; the keys here are `admit`, `basis`, `description`, "
        "`duration_days`, `id`, `kind`, `public`, `repair`"
    ]


@pytest.mark.parametrize("domain", ["religion", "politics", "social", "health", "family"])
def test_a_domain_outside_the_seven_is_refused(domain: str) -> None:
    text = replace("    domain: tax\n", f"    domain: {domain}\n")
    found = refusals(text)
    assert ('record_types["tax.arrears"].domain', (
        "refused: credo rates conduct in seven domains only: judicial, tax, finance, "
        f"regulatory, traffic, contract, civic (SPEC §5); `{domain}` is not one of them"
    )) in found  # fmt: skip


def test_refusals_are_found_even_when_the_shape_is_wrong() -> None:
    text = replace(
        "    points: -5\n", "    pionts: -5\n", with_field("prayer_count: {type: integer}")
    )
    _, found = check_pack_text(text, "p.yaml")
    messages = [p.message for p in found]
    assert len(messages) == 2
    assert messages[0].startswith("refused: credo does not rate religion or belief")
    assert messages[1].startswith("unknown key `pionts`")


NEARBY = [
    "child-support arrears",
    "unpaid wages",
    "postal fraud",
    "blood donation",
    "drug-safety violation",
    "work-safety accident",
    "food safety",
    "environmental violation",
    "fare dodging",
    "smoking on board",
    "tax evasion",
    "false advertising",
    "court judgment default",
    "volunteering",
    "traffic violation",
    "occupational health and safety breach",
    "adulterated milk",
    "animal husbandry permit",
    "partnership agreement breach",
    "neighbourhood committee volunteering",
    "bankruptcy petition",
    "post-dated cheque",
    "street race",
    "parking in a disabled space",
    "false advertising of health products",
    "online loan default",
    "unlicensed medical device",
    "environment-friendly packaging",
    "activity report",
    "section 12 of the contract law",
    "culture and tourism permit",
]


@pytest.mark.parametrize("phrase", NEARBY)
def test_legitimate_nearby_words_are_accepted(phrase: str) -> None:
    slug = re.sub(r"[^a-z0-9]+", "-", phrase.lower()).strip("-")
    text = replace("title: Rongcheng conduct rulebook", f"title: {phrase}")
    text = replace("  - id: traffic-minor", f"  - id: {slug}-1", text)
    text = replace(
        "description: A traffic offence decided", f"description: {phrase}, decided", text
    )
    text = add("record_types", f"regulatory.{slug}:\n  domain: regulatory", text)
    pack, found = check_pack_text(text, "p.yaml")
    assert found == []
    assert pack is not None


def test_a_union_in_a_description_is_no_trade_union() -> None:
    text = replace(
        "    description: A traffic offence decided by the traffic police\n",
        "    description: The union of strings in code, as a field is matched\n",
    )
    assert check_pack_text(text, "p.yaml")[1] == []


@pytest.mark.parametrize("ground", GROUNDS, ids=lambda g: g.name)
def test_every_term_of_the_table_names_its_ground(ground: Ground) -> None:
    """No term is shadowed by a NOT_GROUNDS phrase or misspelt into matching nothing."""
    for term in ground.terms:
        text = term.replace("*", "")
        assert ground in [g for g, _ in grounds_named(text)], term


def test_no_not_grounds_phrase_is_itself_a_ground() -> None:
    for phrase in NOT_GROUNDS:
        assert list(grounds_named(phrase.replace("*", ""))) == [], phrase
