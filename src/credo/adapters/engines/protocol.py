"""Population engines: everyone's score, tier and list entries on one date, from a ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pyarrow as pa

from credo.domain.rules.rulebook import Rulebook

if TYPE_CHECKING:
    from credo.adapters.engines.judged_files import JudgedLedger


@dataclass(frozen=True)
class LedgerSource:
    """Where a ledger is: Parquet files (the ingest format or a store export), or Arrow
    tables already in memory. `entries` (withdrawals, objections, decisions) is optional.
    `judged`: a folder where an engine that folds keeps the judged ledger of these files
    (`credo.domain.scoring.fold`), keyed by their checksums and the rulebook's; `rejudge` rebuilds
    it."""

    records: str | Path | pa.Table
    entries: str | Path | pa.Table | None = None
    judged: Path | None = None
    rejudge: bool = False


@dataclass
class Recomputed:
    as_of: date
    scores: pa.Table  # subject_id, pack, version, score, tier
    entries: pa.Table  # subject_id, list_id, record_id, since, until, pack
    contributions: pa.Table | None  # record_id, subject_id, rule, points, expires_on, reason
    versions: dict[str, tuple[int, str]] = field(default_factory=dict)  # pack → (version, checksum)
    unjudged: pa.Table | None = None  # subject_id, region, kind, pack, reason: left out, and why
    standing: pa.Table | None = None  # subject_id, region, kind: where each is (with `detail`)
    records: int = 0
    seconds: float = 0.0


Progress = Callable[[str], None]


class PopulationEngine(Protocol):
    name: str

    def recompute(
        self,
        source: LedgerSource,
        rulebook: Rulebook,
        as_of: date,
        *,
        detail: bool = False,
        progress: Progress | None = None,
    ) -> Recomputed:
        """Score every subject of the ledger on `as_of`. `detail` keeps the per-record verdicts
        (what the differential tests compare) and each scored subject's region and kind;
        `progress` is told each stage as it starts."""


@runtime_checkable
class FoldingEngine(PopulationEngine, Protocol):
    """An engine that folds a judged ledger (`credo.domain.scoring.fold`): given one already
    judged, as a store keeps it, it folds without judging."""

    def fold(
        self,
        judged: JudgedLedger,
        rulebook: Rulebook,
        as_of: date,
        detail: bool,
        tell: Progress,
    ) -> Recomputed: ...


class Session(Protocol):
    """A SQL engine the staged recompute (`staged.run`) drives: DuckDB in process, Spark SQL."""

    dialect: str

    def register(self, name: str, data: str | Path | pa.Table) -> None: ...

    def create(self, name: str, sql: str) -> None:
        """A table (or cached view) holding the query's rows, replacing any of that name."""

    def view(self, name: str, sql: str) -> None:
        """A view: the query runs again wherever the name is read, replacing any of that name."""

    def fetch(self, sql: str) -> pa.Table: ...

    def columns(self, name: str) -> set[str]: ...

    def struct_fields(self, name: str, column: str) -> list[str] | None:
        """The fields of a struct column of the relation; None when it is not a struct."""

    def close(self) -> None: ...
