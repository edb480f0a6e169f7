"""What anyone may read without a key: the rulebook in force and the published lists."""

from __future__ import annotations

import builtins
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from credo.api.schemas.common import Value
from credo.domain.ledger.subjects import SubjectKind
from credo.domain.rules.fields import FieldType
from credo.domain.rules.packs import CaseRef, Effect, ListKind, WhileDisputed


class TierRead(BaseModel):
    name: str = Field(description="The tier's name.")
    min: int | None = Field(description="The lowest score in it; null for the last tier.")


class ScoreBoundsRead(BaseModel):
    base: int = Field(description="The score with no records.")
    floor: int | None = Field(description="The lowest score possible, if any.")
    ceiling: int | None = Field(description="The highest score possible, if any.")


class ObjectionRead(BaseModel):
    window_days: int = Field(description="Days after notice in which a record can be contested.")
    while_disputed: WhileDisputed = Field(
        description="Whether a contested record counts while the objection is open."
    )
    review_days: int = Field(description="Days a reviewer has to decide.")


class FieldRead(BaseModel):
    type: FieldType = Field(description="Its type.")
    min: int | float | None = Field(description="The smallest value allowed.")
    max: int | float | None = Field(description="The largest value allowed.")
    enum: list[str] | None = Field(description="The values allowed, for strings.")
    required: bool = Field(description="Whether every record of the type has it.")
    description: str | None = Field(description="What it means.")


class RecordTypeRead(BaseModel):
    domain: str = Field(description="One of the seven domains of SPEC §3.")
    fields: dict[str, FieldRead] = Field(description="The attributes a record of it carries.")
    case_ref: CaseRef = Field(
        default="optional", description="Whether every record of it names its case."
    )
    description: str | None = Field(description="What it records.")


class ScaledPointsRead(BaseModel):
    per: str = Field(description="The attribute the points scale with.")
    step: int = Field(description="Points are given per whole step of it.")
    each: int = Field(description="Points per step.")
    cap: int | None = Field(description="The most (or, for penalties, least) points in all.")


class RuleRead(BaseModel):
    id: str = Field(description="The rule's id.")
    record: str = Field(description="The record type it applies to.")
    when: dict[str, Any] = Field(description="Tests on the attributes; empty: always.")
    points: int | ScaledPointsRead = Field(description="The points it gives.")
    valid_days: int | None = Field(description="Days a record counts; null: for good.")
    basis: str = Field(description="The law or decision it rests on.")
    description: str | None = Field(description="What it is for.")


class CapRead(BaseModel):
    id: str = Field(description="The cap's id.")
    rules: list[str] = Field(description="The reward rules it caps together.")
    max: int = Field(description="The most points they give in all.")
    basis: str = Field(description="The law or decision it rests on.")


class MatchRead(BaseModel):
    record: str = Field(description="A record type.")
    when: dict[str, Any] = Field(description="Tests on the attributes; empty: always.")


class ListRead(BaseModel):
    id: str = Field(description="The list's id.")
    kind: ListKind = Field(description="A black or a red list.")
    admit: MatchRead = Field(description="The records that put a subject on it.")
    duration_days: int = Field(description="How long an entry lasts.")
    repair: MatchRead | None = Field(description="The record (same case) that ends it early.")
    public: bool = Field(description="Whether its organisations are published.")
    basis: str = Field(description="The law or decision it rests on.")
    description: str | None = Field(description="What it is for.")


class MeasureWhenRead(BaseModel):
    list: str | None = Field(description="Applies to subjects on this list.")
    tier: builtins.list[str] | None = Field(description="Applies to subjects in these tiers.")


class MeasureRead(BaseModel):
    id: str = Field(description="The measure's id.")
    context: str = Field(description="Where it applies, e.g. `rail.high-speed-ticket`.")
    effect: Effect = Field(description="What it does.")
    terms: dict[str, Value] = Field(description="A grant's terms.")
    when: MeasureWhenRead = Field(description="Whom it applies to.")
    basis: str = Field(description="The law or decision it rests on.")
    description: str | None = Field(description="What it is for.")


class PackVersionRead(BaseModel):
    pack: str = Field(description="The pack's id.")
    version: int = Field(description="The version in force.")
    checksum: str = Field(description="The version's checksum: scores name it.")
    effective_from: date = Field(description="The day it came into force.")
    jurisdiction: str = Field(description="The regions it governs, by prefix.")
    subject_kinds: list[SubjectKind] = Field(description="Whom it governs.")
    title: str | None = Field(description="Its title.")
    score: ScoreBoundsRead = Field(description="Base and bounds of the score.")
    tiers: list[TierRead] = Field(description="Tiers, highest first.")
    objection: ObjectionRead = Field(description="How records are contested.")
    record_types: dict[str, RecordTypeRead] = Field(description="What may be recorded.")
    rules: list[RuleRead] = Field(description="Rules, first hit wins.")
    caps: list[CapRead] = Field(description="Caps on rewards.")
    lists: list[ListRead] = Field(description="Black and red lists.")
    measures: list[MeasureRead] = Field(description="What consumers do, by context.")


class RulebookRead(BaseModel):
    as_of: date = Field(description="The date the versions are in force on.")
    packs: list[PackVersionRead] = Field(description="Every pack's version in force then.")


class PeriodRead(BaseModel):
    since: date = Field(description="The first day on the list.")
    until: date = Field(description="The first day off it.")


class ListedRead(BaseModel):
    subject: str = Field(description="The organisation's id.")
    region: str = Field(description="Its region.")
    periods: list[PeriodRead] = Field(description="Its entries open on `as_of`.")


class PublishedListRead(BaseModel):
    list: str = Field(description="The list's id.")
    kind: ListKind = Field(description="A black or a red list.")
    basis: str = Field(description="The law or decision it rests on.")
    description: str | None = Field(description="What it is for.")
    packs: builtins.list[str] = Field(description="The packs that publish it.")
    as_of: date = Field(description="The day the entries are open on: today.")
    items: builtins.list[ListedRead] = Field(description="Organisations on it, by id.")
    next: str | None = Field(description="Pass as `after` for the next page; null on the last.")
