"""Turns one submitted record (SPEC §2) into a `Record`, or says exactly what is wrong with it."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date

from credo.domain.errors import SHOWN, InvalidRecord, article, shown
from credo.domain.ledger.ids import DATE_PATTERN, NAME_PATTERN, REGION_PATTERN, SHA256_PATTERN
from credo.domain.ledger.records import Evidence, Record
from credo.domain.ledger.references import NotAReference, reference
from credo.domain.ledger.subjects import SUBJECT_KINDS, Subject, is_valid_id
from credo.domain.rules.fields import FIELDS, NotOfType, Scalar, kind_of
from credo.domain.rules.packs import FieldSpec
from credo.domain.rules.rulebook import Rulebook

_REQUIRED = ("subject", "type", "occurred_at", "source", "source_ref")
# `record_id` may come along (a Parquet ledger from `credo synth` carries it); it must then be
# the id the idempotency key gives, since every store and engine derives it from that.
_TOP = {*_REQUIRED, "attributes", "evidence", "case_ref", "record_id"}
_REGION = re.compile(REGION_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_SHA256 = re.compile(SHA256_PATTERN)
_URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")
_TYPE = re.compile(NAME_PATTERN)
_SUBJECT_KEYS = {"id", "kind", "region"}
_EVIDENCE_KEYS = {"uri", "sha256"}


EVIDENCE_SCHEMES = frozenset({"https"})
"""The schemes an evidence URI may have unless settings say otherwise (`evidence_schemes`):
never `javascript:`, `data:` or `file:`, which a reader's browser or a reviewer's machine
would run or open."""


def parse_record(
    raw: object,
    rulebook: Rulebook,
    today: date,
    *,
    text: bool = False,
    schemes: Collection[str] = EVIDENCE_SCHEMES,
) -> Record:
    """Validate a decoded record. `text=True` when values arrive as strings (CSV), so attribute
    values are read by their declared type instead of being refused for being strings;
    `schemes` are those an evidence URI may have."""
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"a record is a JSON object, not {kind_of(raw)}")
    if not _TOP.issuperset(raw):
        unknown = sorted(set(raw) - _TOP)
        allowed = ", ".join(sorted(_TOP))
        raise InvalidRecord(f"unknown key(s) {_listed(unknown)}; allowed: {allowed}")
    for key in _REQUIRED:
        if raw.get(key) in (None, ""):
            raise InvalidRecord("is required", key)
    subject = _subject(raw["subject"])
    record_type = _string(raw["type"], "type", _TYPE)
    occurred = _date(raw["occurred_at"], "occurred_at")
    if occurred > today:
        raise InvalidRecord(f"{occurred} is in the future (today is {today})", "occurred_at")
    source = _reference(raw["source"], "source")
    source_ref = _reference(raw["source_ref"], "source_ref")
    case_ref = raw.get("case_ref") or None
    if case_ref is not None:
        case_ref = _reference(case_ref, "case_ref")
    evidence = _evidence(raw.get("evidence"), schemes)

    # Judged, and so checked, by the pack governing the record's own region when it occurred.
    history = rulebook.governing_on(subject.region, subject.kind, occurred)
    if history is None:
        reason = f"no pack governs {article(subject.kind)} in region {subject.region}"
        raise InvalidRecord(reason, "subject")
    version = history.declaring(record_type, occurred)
    if version is None:
        declared = sorted({t for v in history.versions for t in v.pack.record_types})
        raise InvalidRecord(
            f"`{record_type}` is not a record type of pack `{history.id}` "
            f"(declared: {', '.join(declared)})",
            "type",
        )
    declared_type = version.pack.record_types[record_type]
    if case_ref is None and declared_type.case_ref == "required":
        raise InvalidRecord(
            f"is required: a `{record_type}` record names the case it belongs to "
            f"(`case_ref: required` in pack `{history.id}`)",
            "case_ref",
        )
    fields = declared_type.fields
    attributes = _attributes(raw.get("attributes") or {}, fields, text)
    record = Record(
        subject, record_type, occurred, source, source_ref, attributes, evidence, case_ref
    )
    given = raw.get("record_id")
    if given not in (None, "") and given != record.record_id:
        raise InvalidRecord(
            f"{shown(given)} is not the id of ({source}, {source_ref}), which is "
            f"{record.record_id!r}; leave it out and it is derived",
            "record_id",
        )
    then = history.in_force(occurred)
    hit = then.rules.match(record_type, attributes) if then else None
    if hit is not None and hit.points < 0 and evidence is None:
        raise InvalidRecord(
            f"a penalty ({hit.points} points by rule `{hit.rule_id}`) needs evidence "
            "{uri, sha256}",
            "evidence",
        )
    return record


def _listed(keys: list[str], most: int = 5) -> str:
    """Keys as a reason names them: a few, each as sent unless it is too long to repeat."""
    named = ", ".join(k if len(k) <= SHOWN else shown(k) for k in keys[:most])
    return named + (f" and {len(keys) - most} more" if len(keys) > most else "")


def _string(value: object, field: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str):
        raise InvalidRecord(f"must be a string, not {kind_of(value)}", field)
    if not pattern.match(value):
        raise InvalidRecord(f"{shown(value)} has illegal characters or length", field)
    return value


def _reference(value: object, field: str) -> str:
    """The reference in NFC: the form its idempotency key and record id are made of."""
    if not isinstance(value, str):
        raise InvalidRecord(f"must be a string, not {kind_of(value)}", field)
    try:
        return reference(value)
    except NotAReference as e:
        raise InvalidRecord(str(e), field) from None


def _date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise InvalidRecord(f"must be a date as YYYY-MM-DD, not {shown(value)}", field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRecord(f"{shown(value)} is not a real date", field) from None


def _subject(raw: object) -> Subject:
    if not isinstance(raw, Mapping):
        reason = f"must be an object {{id, kind, region}}, not {kind_of(raw)}"
        raise InvalidRecord(reason, "subject")
    if not _SUBJECT_KEYS.issuperset(raw):
        extra = sorted(set(raw) - _SUBJECT_KEYS)
        raise InvalidRecord(f"unknown key(s) {_listed(extra)}", "subject")
    sid, kind, region = raw.get("id"), raw.get("kind"), raw.get("region")
    if not isinstance(sid, str) or not is_valid_id(sid):
        raise InvalidRecord(f"{shown(sid)} is not 1–64 characters of [A-Za-z0-9._:-]", "subject.id")
    if kind not in SUBJECT_KINDS:
        raise InvalidRecord(f"{shown(kind)} is not one of person, organisation", "subject.kind")
    if not isinstance(region, str) or not _REGION.match(region):
        reason = f"{shown(region)} is not a region code such as CN-SD-RC"
        raise InvalidRecord(reason, "subject.region")
    return Subject(sid, kind, region)


def _evidence(raw: object, schemes: Collection[str]) -> Evidence | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.keys() != _EVIDENCE_KEYS:
        raise InvalidRecord("must be an object with exactly uri and sha256", "evidence")
    uri, sha = raw["uri"], raw["sha256"]
    if not isinstance(uri, str) or not _URI.match(uri):
        raise InvalidRecord(f"{shown(uri)} is not a URI", "evidence.uri")
    scheme = uri.partition(":")[0]
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        reason = f"a {shown(scheme)} URI is not accepted as evidence (accepted: {allowed})"
        raise InvalidRecord(reason, "evidence.uri")
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise InvalidRecord("must be 64 lowercase hex characters", "evidence.sha256")
    return Evidence(uri, sha)


def _attributes(raw: object, fields: dict[str, FieldSpec], text: bool) -> dict[str, Scalar]:
    if not isinstance(raw, Mapping):
        raise InvalidRecord(f"must be an object, not {kind_of(raw)}", "attributes")
    if not fields.keys() >= raw.keys():
        unknown = sorted(set(raw) - set(fields))
        known = ", ".join(sorted(fields)) or "none"
        reason = f"unknown attribute(s) {_listed(unknown)} (declared: {known})"
        raise InvalidRecord(reason, "attributes")
    out: dict[str, Scalar] = {}
    for name, spec in fields.items():
        value = raw.get(name)
        if value is None or (text and value == ""):
            if spec.required:
                raise InvalidRecord("is required", f"attributes.{name}")
            continue
        out[name] = _value(value, spec, f"attributes.{name}", text)
    return out


def _value(value: object, spec: FieldSpec, field: str, text: bool) -> Scalar:
    kind = FIELDS[spec.type]
    try:
        taken = kind.take(kind.read(value) if text and isinstance(value, str) else value)
    except NotOfType as e:
        raise InvalidRecord(str(e), field) from None
    if spec.enum is not None and taken not in spec.enum:
        raise InvalidRecord(f"{shown(taken)} is not one of {', '.join(spec.enum)}", field)
    if isinstance(taken, int | float) and not isinstance(taken, bool):
        if spec.min is not None and taken < spec.min:
            raise InvalidRecord(f"{shown(taken)} is below the minimum {spec.min}", field)
        if spec.max is not None and taken > spec.max:
            raise InvalidRecord(f"{shown(taken)} is above the maximum {spec.max}", field)
    return taken
