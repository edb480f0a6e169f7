"""What the synthetic ledger of one pack draws from: the eras of its versions with the record
types each declares and how common they are, which records carry a case, which repair a list
entry, and which provider reports them. Decided once per pack, then used for every chunk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from credo.domain.rules.packs import FieldSpec, ObjectionSpec, RecordType
from credo.domain.rules.rulebook import PackHistory

PROVIDERS = {
    "traffic": "traffic-police",
    "tax": "tax-bureau",
    "judicial": "people-court",
    "civic": "civic-office",
    "regulatory": "market-regulator",
    "finance": "finance-regulator",
    "contract": "utility-company",
}
SOURCES = sorted(PROVIDERS.values())
# How often each domain reports, relative to the others: traffic tickets are everyday, court
# findings rare.
_WEIGHT = {
    "traffic": 6,
    "civic": 4,
    "contract": 3,
    "tax": 2,
    "regulatory": 2,
    "finance": 1,
    "judicial": 1,
}
_PROVINCES = ("SD", "JS", "ZJ", "GD", "BJ", "SH", "SC", "HB")
EPOCH = date(1970, 1, 1)

Fields = dict[str, FieldSpec]


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True)
class Era:
    """The time one version is in force (or, first, the time before any is): the record types
    reported then, and the cumulative weights to draw them by."""

    types: np.ndarray
    cumulative: np.ndarray


@dataclass(frozen=True)
class PackPlan:
    history: PackHistory
    kind: str
    prefix: str
    regions: list[str]
    types: list[str]  # every record type any version declares, sorted
    source: np.ndarray  # per type: index into SOURCES
    case: np.ndarray  # per type: does it carry a case_ref (judicial, or a repairable admission)
    repair: np.ndarray  # per type: the type that repairs it, -1 if none
    starts: np.ndarray  # per version: its effective_from as a day number
    eras: list[Era]  # len(starts) + 1: before the first version, then one per version
    fields: list[list[Fields | None]]  # [era][type]: the schema a record is checked against
    objection: ObjectionSpec

    @property
    def id(self) -> str:
        return self.history.id

    def era_of(self, days: np.ndarray) -> np.ndarray:
        """The era each day falls in: the version in force (SPEC §4.1), 0 when none is."""
        return np.searchsorted(self.starts, days, side="right")


def plan_pack(history: PackHistory) -> PackPlan:
    versions = list(history.versions)
    declared = {t: rt for v in versions for t, rt in v.pack.record_types.items()}
    types = sorted(declared)
    index = {t: i for i, t in enumerate(types)}
    # Only between declared types: a list may name one its pack does not declare, and admits
    # or repairs nothing by it.
    repairs = {
        lst.admit.record: lst.repair.record
        for v in versions
        for lst in v.pack.lists
        if lst.repair and {lst.admit.record, lst.repair.record} <= declared.keys()
    }
    repair_types = set(repairs.values())
    # The day each era starts on; the first era ends the day before the first version.
    era_days = [versions[0].effective_from - timedelta(days=1)] + [
        v.effective_from for v in versions
    ]
    eras, fields = [], []
    for n, day in enumerate(era_days):
        drawn = [t for t in versions[max(n - 1, 0)].pack.record_types if t not in repair_types]
        weights = np.array([_WEIGHT[declared[t].domain] for t in drawn], dtype=float)
        eras.append(Era(np.array([index[t] for t in drawn]), np.cumsum(weights) / weights.sum()))
        row: list[Fields | None] = []
        for t in types:
            version = history.declaring(t, day)
            row.append(dict(version.pack.record_types[t].fields) if version else None)
        fields.append(row)
    person = "person" in history.subject_kinds
    return PackPlan(
        history=history,
        kind="person" if person else "organisation",
        prefix="p" if person else "o",
        regions=_regions(history.jurisdiction),
        types=types,
        source=np.array([SOURCES.index(PROVIDERS[declared[t].domain]) for t in types]),
        case=np.array([_has_case(t, declared[t], repairs) for t in types]),
        repair=np.array([index[repairs[t]] if t in repairs else -1 for t in types]),
        starts=np.array([day_number(v.effective_from) for v in versions]),
        eras=eras,
        fields=fields,
        objection=history.latest().pack.objection,
    )


def _has_case(name: str, record_type: RecordType, repairs: dict[str, str]) -> bool:
    """Judicial records, repairable admissions and the types that require one carry a case
    (repairs take their admission's)."""
    return record_type.domain == "judicial" or name in repairs or record_type.case_ref == "required"


def _regions(jurisdiction: str) -> list[str]:
    if "-" not in jurisdiction:
        return [f"{jurisdiction}-{p}" for p in _PROVINCES]
    return [jurisdiction, *(f"{jurisdiction}-{d:02d}" for d in range(1, 4))]
