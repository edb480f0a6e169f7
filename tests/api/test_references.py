"""References in any script over the API (SPEC §2): Chinese sources, references and cases are
accepted, kept in NFC and keyed by that form; a reference breaking the rule rejects its record
only; a provider whose source is Chinese gets a key and submits under it."""

from __future__ import annotations

import re
import unicodedata

from credo.domain.ledger.records import record_id_for
from tests.api.conftest import Api, record

CHINESE_REF = "荣公交罚〔2026〕第0017号"
COURT_CASE = "（2026）鲁1082执123号"
# `é` spelled as `e` and a combining accent; NFC makes it one code point.
DECOMPOSED, COMPOSED = "RC-Pre\u0301fecture-17", "RC-Pr\u00e9fecture-17"


def results(response: object) -> list[tuple[str, str | None]]:
    body = response.json()  # type: ignore[attr-defined]
    return [(r["status"], r["reason"]) for r in body["results"]]


def test_chinese_references_are_accepted_and_read_back_as_written(api: Api) -> None:
    posted = api.post_records(
        [
            record(ref=CHINESE_REF),
            record(
                type_="court.judgment_default",
                ref="（2026）鲁1082执123号-1",
                attributes={"amount": 5000},
                case_ref=COURT_CASE,
            ),
        ]
    )
    assert posted.status_code == 200, posted.text
    assert [s for s, _ in results(posted)] == ["created", "created"]
    ids = [r["record_id"] for r in posted.json()["results"]]
    assert ids[0] == record_id_for("traffic-police-rc", CHINESE_REF)
    held = api.ctx.store.record(ids[1])
    assert held is not None
    assert (held.record.source_ref, held.record.case_ref) == ("（2026）鲁1082执123号-1", COURT_CASE)
    shown = api.call("GET", "/v1/subjects/p-1/explanation", "subject_a")
    assert shown.status_code == 200, shown.text
    refs = {c["source_ref"]: c["case_ref"] for c in shown.json()["contributions"]}
    assert refs == {CHINESE_REF: None, "（2026）鲁1082执123号-1": COURT_CASE}


def test_a_reference_in_another_spelling_is_the_same_record(api: Api) -> None:
    evidence = {"uri": "https://records.example/RC-17.pdf", "sha256": "ab" * 32}
    first = api.post_records(record(ref=DECOMPOSED, evidence=evidence))
    again = api.post_records(record(ref=COMPOSED, evidence=evidence))
    assert results(first) == [("created", None)]
    assert results(again) == [("already present", None)]
    [stored] = api.ctx.store.records_of("p-1")
    assert stored.record.source_ref == COMPOSED == unicodedata.normalize("NFC", DECOMPOSED)


def test_a_reference_breaking_the_rule_rejects_its_record_only(api: Api) -> None:
    posted = api.post_records(
        [record(ref="TP-1"), record(ref="TP\u200b2"), record(ref="TP-3", case_ref=" C-1")]
    )
    assert posted.status_code == 200
    got = results(posted)
    assert got[0] == ("created", None)
    assert got[1][0] == got[2][0] == "rejected"
    assert got[1][1] is not None
    assert got[1][1].startswith("source_ref: 'TP\\u200b2': character 3")
    assert "a reference is 1–128 printable characters" in got[1][1]
    assert got[2][1] is not None
    assert got[2][1].startswith("case_ref: ' C-1' starts or ends")
    assert api.ctx.store.count_records() == 1


def test_a_type_that_requires_a_case_ref_rejects_a_record_without_one(api: Api) -> None:
    posted = api.post_records(
        record(type_="court.judgment_default", ref="CT-1", attributes={"amount": 5000})
    )
    [(status, reason)] = results(posted)
    assert status == "rejected"
    assert reason is not None
    assert reason.startswith("case_ref: is required")


def test_a_provider_whose_source_is_chinese_submits_under_its_key(api: Api) -> None:
    source = "荣成市公安局交通警察大队"
    made = api.call(
        "POST",
        "/v1/keys",
        "admin",
        json={"role": "provider", "id": source, "types": ["traffic.violation"]},
    )
    assert made.status_code == 201, made.text
    assert made.json()["id"] == source
    token = made.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    left_out = api.client.post("/v1/records", json=record(ref=CHINESE_REF), headers=headers)
    # The same source in its decomposed spelling is still this provider's.
    given = api.client.post(
        "/v1/records",
        json=record(ref="荣公交罚〔2026〕第0018号", source=unicodedata.normalize("NFD", source)),
        headers=headers,
    )
    assert results(left_out) == [("created", None)]
    assert results(given) == [("created", None)]
    sources = {lr.record.source for lr in api.ctx.store.records_of("p-1")}
    assert sources == {source}


def test_a_key_id_breaking_the_rule_is_refused_with_it(api: Api) -> None:
    refused = api.call("POST", "/v1/keys", "admin", json={"role": "reviewer", "id": "审核\u202e员"})
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "RIGHT-TO-LEFT OVERRIDE, is a bidi control character" in detail
    assert "pattern" not in detail  # the rule is said, not the schema's pattern


def test_the_schema_states_the_rule_of_key_ids_as_a_pattern(api: Api) -> None:
    schema = api.app.openapi()["components"]["schemas"]["StaffKeyCreate"]["properties"]["id"]
    pattern = re.compile(schema["pattern"])
    assert (schema["minLength"], schema["maxLength"]) == (1, 128)
    for ok in ("审核员", "review office", "ΑΣΤΥΝΟΜΙΑ", "𠀀"):
        assert pattern.match(ok), ok
    for bad in (" x", "x ", "a\u200bb", "a\nb", "a\u3000b", "\ue000"):
        assert not pattern.match(bad), bad


def test_the_public_rulebook_says_which_types_require_a_case_ref(api: Api) -> None:
    body = api.call("GET", "/v1/rulebook").json()
    rongcheng = next(p for p in body["packs"] if p["pack"] == "rongcheng")
    required = {n for n, t in rongcheng["record_types"].items() if t["case_ref"] == "required"}
    assert required == {"court.judgment_default", "court.judgment_satisfied"}
    assert rongcheng["record_types"]["traffic.violation"]["case_ref"] == "optional"
