"""The ledger store: the one interface the services use to reach a database."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from credo.domain.audit.leaves import Held, Leaf, LeafKind, Logged, Run
from credo.domain.audit.merkle import Hash, Node
from credo.domain.audit.tree_heads import HeadSigner, TreeHead
from credo.domain.ledger.entries import AdminEntry, Entry
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.ledger.subjects import Subject
from credo.domain.scoring.verdicts import Verdict

if TYPE_CHECKING:
    import pyarrow as pa


class Outcome(StrEnum):
    CREATED = "created"
    PRESENT = "already present"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class StoredPack:
    pack_id: str
    version: int
    effective_from: date
    checksum: str
    source: str  # the YAML text as adopted
    adopted_at: datetime
    adopted_by: str | None = None  # the actor; None for a pack adopted before that was kept


@dataclass(frozen=True, slots=True)
class ListMark:
    list_id: str
    record_id: str
    since: date
    until: date


@dataclass(frozen=True, slots=True)
class StoredScore:
    """A subject's score as last computed: good for dates from `as_of` up to, not including,
    `valid_until` (None: no change by time alone), until the subject's ledger changes."""

    subject_id: str
    pack_id: str
    version: int
    checksum: str
    as_of: date
    score: int
    tier: str
    lists: tuple[ListMark, ...]
    valid_until: date | None
    computed_at: datetime
    run_id: int | None = None
    ledger_size: int | None = None  # the subject's records and entries when it was judged

    def holds_on(self, day: date) -> bool:
        return self.as_of <= day and (self.valid_until is None or day < self.valid_until)


@dataclass(frozen=True, slots=True)
class ScoreRun:
    as_of: date
    engine: str
    versions: dict[str, tuple[int, str]]
    subjects: int
    records: int
    seconds: float
    finished_at: datetime


Ledger = tuple[int, list[LedgerRecord]]
"""A subject's ledger as read: its size (records and entries) and its records, oldest first."""


class SubjectReads(Protocol):
    """What scoring one subject reads: every store has them, and on an SQLite ledger a command
    that needs nothing else reads them through `sqlite3` alone (`sql.sqlite_reads`)."""

    def packs(self) -> list[StoredPack]: ...

    def records_of(self, subject_id: str) -> list[LedgerRecord]: ...

    def stored_score(self, subject_id: str) -> StoredScore | None: ...


class ScoreStore(Protocol):
    """Materialised scores. Derived, so replaced rather than appended; a ledger store that is
    also a score store forgets a subject's score in the same transaction that changes its
    ledger, so a stored score is never staler than the ledger."""

    def replace_scores(self, run: ScoreRun, scores: Iterable[StoredScore]) -> int:
        """Replace every stored score with these, in one transaction; returns the run id."""

    def add_scores(self, run: ScoreRun, scores: Iterable[StoredScore]) -> int:
        """Store these subjects' scores as written by `run` (a recompute of what changed), in
        place of theirs, in one transaction, keeping every other; returns the run id."""

    def holding_scores(
        self, as_of: date, since: datetime | None
    ) -> dict[str, tuple[str, int, str]]:
        """The subjects whose stored score holds on `as_of` and was computed at or after
        `since` (None: whenever), each with the pack, version and checksum it was judged by."""

    def put_score(self, score: StoredScore) -> None:
        """Store or replace one subject's score; never over one judged on a larger ledger
        (`ledger_size`), which a slower request computing concurrently must not undo."""

    def put_scores(self, scores: Sequence[StoredScore]) -> None:
        """`put_score` for each, one subject apiece, in one transaction."""

    def stored_score(self, subject_id: str) -> StoredScore | None: ...

    def last_run(self) -> ScoreRun | None: ...


@dataclass(frozen=True, slots=True)
class Judged:
    """Records' verdicts, and the rulebook they were judged by (`verdicts.rulebook_key`)."""

    key: str
    verdicts: Sequence[Verdict]


class VerdictStore(Protocol):
    """Every record's verdict (`credo.domain.scoring.verdicts`), kept beside the ledger: the
    judged ledger that `credo recompute` folds. Derived state: written in the transaction that
    appends its record, its status changed in the one that appends the entry changing it, and
    judged again by the services where an adoption changes verdicts."""

    def verdicts_key(self) -> str | None:
        """The rulebook every record's verdict was judged by; None when that is not known
        (a record appended without its verdict, or by another rulebook)."""

    def verdict_table(self) -> pa.Table:
        """Every verdict, as a table of `verdicts.VERDICT_FIELDS`, in no particular order."""

    def put_verdicts(
        self, judged: Judged, *, records: int, after: str | None, whole: bool = False
    ) -> bool:
        """Store these records' verdicts in place of their old ones, in one transaction that no
        append runs beside, each with its status as the ledger says now. With `whole` they are
        every record's (a rejudge); otherwise they are those a rulebook moving from `after` to
        `judged.key` changes. Either way the ledger's verdicts are then by `judged.key` if the
        judging saw every record the ledger holds (`records` of them; one appended since was
        judged by the rulebook before) and, unless `whole`, they were by `after` before; else
        not known. Returns whether they are by `judged.key`."""


class AuditLogStore(Protocol):
    """The ledger's Merkle log (SPEC §9). Every call that appends packs, records or entries
    appends their leaves and a head signed by `signer` in its own transaction."""

    signer: HeadSigner

    def signed_head(self, tree_size: int | None = None) -> TreeHead | None:
        """The head of that size (the latest without one); None if there is none."""

    def signed_heads(self) -> list[TreeHead]:
        """Every head, smallest first."""

    def subtrees(self, nodes: Collection[Node]) -> dict[Node, Hash]:
        """The roots of these perfect subtrees of the log (`merkle.Node`), each from a bounded
        number of stored hashes; raises `ProofError` for one the log does not hold whole."""

    def leaves(self, after: int = 0, limit: int | None = None) -> list[Leaf]:
        """The leaves from index `after` on, in ledger order."""

    def leaf_columns(self) -> Logged:
        """Every leaf, as columns (`leaves.Logged`): what `audit verify` reads of the log."""

    def leaf_indexes(self, kind: LeafKind, refs: Collection[str]) -> dict[str, int]:
        """Where the rows named by `refs` stand in the log."""

    def audit_contents(self) -> Iterator[Held]:
        """Every pack, record, entry and admin entry held, with the leaf hash of its content as
        stored now, and its sequence number, each kind in that order."""

    def audit_runs(
        self, processes: int | None = None, meanwhile: Callable[[], None] = lambda: None
    ) -> dict[str, Run]:
        """The same rows and hashes as `audit_contents`, as a run per kind. A large ledger is
        hashed by `processes` workers (default: one per core) where the store can, and
        `meanwhile` runs in the calling thread while they work (else before the hashing)."""

    def append_admin(self, act: Callable[[], Sequence[AdminEntry]]) -> list[AdminEntry]:
        """Run `act`, an act outside the database (a signing key rotated), inside the
        transaction that then appends the admin entries it returns, with their leaves and a
        signed head: a database that cannot be reached stops the act before it is done. The
        entries come back numbered. Acts on the database's own rows (keys, sign-in codes) are
        written by their stores, each in its entry's transaction."""

    def admin_entries(
        self, *, subject_id: str | None = None, after: int = 0, limit: int | None = None
    ) -> list[AdminEntry]:
        """Admin entries numbered above `after`, in order; with `subject_id`, only those about
        that subject's keys."""


class LedgerStore(ScoreStore, AuditLogStore, VerdictStore, Protocol):
    """An append-only ledger of packs, records and the entries that refer to records, and the
    scores derived from it.

    Implementations: `MemoryLedgerStore`, `SqliteLedgerStore`, `PostgresLedgerStore`. Every one
    passes the same contract suite in `tests/contract/`.
    """

    def migrate(self) -> None:
        """Bring the schema up to date (idempotent)."""

    def export(self) -> tuple[pa.Table, pa.Table]:
        """The whole ledger as Arrow tables (records, entries), in the shape the population
        engines read (`credo.adapters.engines.sql.ledger`)."""

    def schema_is_current(self) -> bool:
        """Whether every migration has been applied (what a readiness probe asks)."""

    def adopt_pack(self, pack: StoredPack) -> bool:
        """Store a pack version. True if new, False if the same content was already adopted;
        raises `PackConflict` for other content under the same pack and version."""

    def packs(self) -> list[StoredPack]: ...

    def append_records(
        self,
        records: Sequence[Record],
        *,
        recorded_at: datetime,
        notices: Sequence[Entry] = (),
        judged: Judged | None = None,
    ) -> list[Outcome]:
        """Append in one transaction; one outcome per record, in order. The idempotency key
        (source, source_ref) is enforced by the database: a replay with the same fingerprint
        is PRESENT, other content is CONFLICT and nothing of it is written. A batch that
        repeats a key is judged in order, as if sent one by one. `notices` are the entries
        the records owe their subjects: those of the records this call creates go in within
        the same transaction (a replay owes none), so no record is ever kept without them.
        `judged` holds the records' verdicts, written for those created in the same
        transaction; without it, or by another rulebook than the ledger's verdicts, the
        ledger's verdicts are no longer known to be by one rulebook (`verdicts_key`)."""

    def subjects(self, ids: Iterable[str]) -> dict[str, Subject]:
        """The known subjects among `ids` (as first recorded)."""

    def records_of(self, subject_id: str) -> list[LedgerRecord]:
        """Every record of a subject with its current status, oldest first: by `occurred_at`,
        then in the order appended (within one batch, by record id)."""

    def ledgers_of(self, subject_ids: Collection[str]) -> dict[str, Ledger]:
        """`ledger_size` and `records_of` for each of these subjects that has records, read in
        one snapshot: the size counts exactly what the records show."""

    def record(self, record_id: str) -> LedgerRecord | None: ...

    def ledger_size(self, subject_id: str) -> int:
        """How many records and entries the subject's ledger holds: it only grows, so two
        equal readings mean nothing was added in between."""

    def recorded_at(self, record_id: str) -> datetime | None:
        """When the record entered the ledger; None for an unknown record."""

    def append_entry(self, entry: Entry) -> int:
        """Append a withdrawal, objection, decision or notice; returns its sequence number.
        Raises `UnknownRecord` if the record does not exist."""

    def append_entries(self, entries: Sequence[Entry]) -> list[int]:
        """Append in one transaction, in order; one sequence number each. If any record does
        not exist, raises `UnknownRecord` and writes nothing."""

    def entries_of(self, record_id: str) -> list[Entry]: ...

    def entries_of_kind(
        self,
        kinds: Collection[str],
        *,
        subject_id: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[Entry]:
        """Entries of these kinds numbered above `after`, in sequence order; with `subject_id`,
        only those about that subject's records."""

    def open_objections(self) -> list[Entry]:
        """The objection entries no decision refers to, in sequence order: the review queue,
        read without the decided objections, which only grow."""

    def count_records(self) -> int: ...

    def iter_records(self, batch_size: int = 10_000) -> Iterator[list[LedgerRecord]]:
        """Every record with its status, in batches grouped so a subject never spans two (a
        subject larger than `batch_size` comes whole in one batch)."""

    def close(self) -> None: ...
