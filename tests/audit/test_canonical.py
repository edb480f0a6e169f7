"""Canonical bytes (RFC 8785) and the leaves and heads built on them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from credo.adapters.stores.protocol import StoredPack
from credo.adapters.stores.sql.tables import utc_text
from credo.domain.audit.canonical import canonical_json, instant_text, number_text, rfc3339
from credo.domain.audit.leaves import entry_json, hash_of, pack_json, record_json
from credo.domain.audit.merkle import leaf_hash
from credo.domain.ledger.entries import Entry
from credo.domain.ledger.records import Record
from credo.domain.ledger.subjects import Subject

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_canonical_json_is_rfc8785(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_are_written_as_the_library_writes_them(f: float) -> None:
    assert number_text(f) == rfc8785.dumps(f)
    assert canonical_json({"attributes": {"amount": f}}) == rfc8785.dumps(
        {"attributes": {"amount": f}}
    )


def test_the_rfc_examples_of_ordering_and_numbers() -> None:
    # RFC 8785 §3.2.3: keys sort by UTF-16 code units, not by code points.
    assert canonical_json({"\U0001f600": 1, "\ufb33": 2}) == '{"\U0001f600":1,"\ufb33":2}'.encode()
    assert canonical_json({"b": 1.0, "a": 1e21}) == b'{"a":1e+21,"b":1}'
    assert canonical_json({"z": [True, None, "\u2028\n"]}) == b'{"z":[true,null,"\xe2\x80\xa8\\n"]}'


def test_integers_beyond_doubles_are_the_double_nearest() -> None:
    assert canonical_json({"n": 2**60}) == b'{"n":1152921504606847000}'  # ES6 Number formatting
    assert canonical_json([2**53 + 1]) == rfc8785.dumps([float(2**53 + 1)])


def test_instants_are_utc_with_microseconds() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    assert rfc3339(at) == "2026-12-01T01:30:00.000000Z"
    assert rfc3339(datetime(2026, 12, 1, 1, 30)) == "2026-12-01T01:30:00.000000Z"


def test_a_record_leaf_covers_every_field_it_keeps() -> None:
    record = Record(
        Subject("p-1", "person", "CN-SD-RC"),
        "traffic.violation",
        date(2026, 3, 1),
        "traffic-police-rc",
        "TP-1",
        {"speed_over": 12},
    )
    at = datetime(2026, 3, 2, tzinfo=UTC)
    body = record_json(record, at)
    assert body["entry"] == "record"
    assert body["record_id"] == record.record_id
    assert hash_of(body) == leaf_hash(canonical_json(body))
    for changed in (
        {**body, "attributes": {"speed_over": 13}},
        {**body, "recorded_at": rfc3339(at + timedelta(microseconds=1))},
        {**body, "subject": {**body["subject"], "region": "CN-SD"}},
    ):
        assert hash_of(changed) != hash_of(body)


def test_entry_and_pack_leaves_name_their_kind() -> None:
    at = datetime(2026, 3, 2, tzinfo=UTC)
    entry = Entry("objection", "r1", "subject:p-1", at, {"objection_id": "o1", "reason": "x"})
    assert entry_json(entry) == {
        "entry": "objection",
        "record_id": "r1",
        "actor": "subject:p-1",
        "at": "2026-03-02T00:00:00.000000Z",
        "data": {"objection_id": "o1", "reason": "x"},
    }
    pack = pack_json(StoredPack("rongcheng", 1, date(2026, 1, 1), "abc", "pack: rongcheng\n", at))
    assert pack["entry"] == "pack"
    assert hash_of(pack) != hash_of({**pack, "source": "pack: rongcheng \n"})


@given(
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), None])),
)
def test_an_instant_read_back_as_text_is_written_as_the_datetime_is(at: datetime) -> None:
    """`audit verify` rewrites SQLite's text without parsing it; any other text is parsed. Both
    give the bytes the leaf was hashed from."""
    assert instant_text(utc_text(at)) == rfc3339(at)
    assert instant_text(at.isoformat()) == rfc3339(at)
    assert instant_text(at) == rfc3339(at)
