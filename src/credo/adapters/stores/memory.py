"""A ledger in memory that behaves as the database stores do: for tests and demos."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from credo.adapters import signing
from credo.adapters.stores.memory_log import MemoryLog
from credo.adapters.stores.memory_verdicts import MemoryVerdicts
from credo.adapters.stores.protocol import (
    Judged,
    Ledger,
    Outcome,
    ScoreRun,
    StoredPack,
    StoredScore,
)
from credo.domain.audit.leaves import (
    Held,
    Leaf,
    LeafKind,
    Run,
    admin_json,
    entry_json,
    hash_of,
    pack_json,
    pack_ref,
    record_json,
    runs_of,
)
from credo.domain.audit.merkle import Frontier, Hash
from credo.domain.audit.tree_heads import HeadSigner, TreeHead
from credo.domain.errors import PackConflict, UnknownRecord
from credo.domain.ledger.entries import (
    AdminEntry,
    Entry,
    StepTaken,
    after_withdrawal,
    left_open,
    single_use_step,
    status_from,
    withdrawal_in,
)
from credo.domain.ledger.records import LedgerRecord, Record
from credo.domain.ledger.subjects import Subject
from credo.domain.scoring.verdicts import Verdict

if TYPE_CHECKING:
    import pyarrow as pa


class MemoryLedgerStore(MemoryLog, MemoryVerdicts):
    def __init__(self, *, signer: HeadSigner | None = None) -> None:
        self.signer = signer or signing.generated()
        self._leaves: list[Leaf] = []
        self._heads: list[TreeHead] = []
        self._frontier = Frontier()
        self._lock = threading.RLock()
        self._packs: dict[tuple[str, int], StoredPack] = {}
        self._subjects: dict[str, Subject] = {}
        self._records: dict[str, tuple[int, Record, str]] = {}  # record_id: (seq, record, fp)
        self._by_subject: dict[str, list[str]] = {}
        self._entries: dict[str, list[Entry]] = {}  # by record_id
        self._steps: set[str] = set()  # single-use steps taken (`single_use_step`)
        self._seq = 0
        self._admin: list[AdminEntry] = []
        self._recorded_at: dict[str, datetime] = {}
        self._scores: dict[str, StoredScore] = {}
        self._runs: list[ScoreRun] = []
        self._verdicts: dict[str, Verdict] = {}  # by record_id
        self._verdicts_key: str | None = None

    def migrate(self) -> None:
        """Nothing to do: memory has no schema."""

    def export(self) -> tuple[pa.Table, pa.Table]:
        from credo.adapters.stores.export import export_memory

        return export_memory(self)

    def schema_is_current(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to release."""

    def adopt_pack(self, pack: StoredPack) -> bool:
        with self._lock:
            held = self._packs.setdefault((pack.pack_id, pack.version), pack)
            if held is pack:
                self._grow([("pack", pack_ref(pack.pack_id, pack.version), _pack_leaf(pack))])
        if held is pack:
            return True
        if held.checksum == pack.checksum:
            return False
        raise PackConflict(
            f"pack {pack.pack_id} version {pack.version} is already adopted with other content "
            f"(checksum {held.checksum}); adopted versions never change: publish a new one"
        )

    def packs(self) -> list[StoredPack]:
        with self._lock:
            return [self._packs[key] for key in sorted(self._packs)]

    def append_records(
        self,
        records: Sequence[Record],
        *,
        recorded_at: datetime,
        notices: Sequence[Entry] = (),
        judged: Judged | None = None,
    ) -> list[Outcome]:
        prints = [r.fingerprint() for r in records]  # may raise: before anything is written
        with self._lock:
            outcomes: list[Outcome] = []
            created: dict[str, tuple[Record, str]] = {}
            for record, fp in zip(records, prints, strict=True):
                held = created.get(record.record_id) or self._held(record.record_id)
                if held is None:
                    created[record.record_id] = (record, fp)
                    self._subjects.setdefault(record.subject.id, record.subject)
                    outcomes.append(Outcome.CREATED)
                else:
                    outcomes.append(Outcome.PRESENT if held[1] == fp else Outcome.CONFLICT)
            # The databases append a batch in record id order; so does memory.
            grown: list[tuple[LeafKind, str, Hash]] = []
            for rid in sorted(created):
                stored = self._add(*created[rid])
                self._recorded_at[rid] = recorded_at
                grown.append(("record", rid, hash_of(record_json(stored, recorded_at))))
            for record, _ in created.values():
                self._scores.pop(record.subject.id, None)
            if created:
                self._keep_verdicts(created, judged)
            self._append_entries([n for n in notices if n.record_id in created], grown)
            return outcomes

    def _held(self, record_id: str) -> tuple[Record, str] | None:
        held = self._records.get(record_id)
        return None if held is None else (held[1], held[2])

    def _add(self, record: Record, fingerprint: str) -> Record:
        subject = self._subjects[record.subject.id]
        if subject.kind != record.subject.kind:
            # A record is read back with its subject's kind as first recorded, as in the
            # databases; its region is its own (subjects move).
            record = replace(record, subject=replace(record.subject, kind=subject.kind))
        self._records[record.record_id] = (len(self._records) + 1, record, fingerprint)
        self._by_subject.setdefault(subject.id, []).append(record.record_id)
        return record

    def subjects(self, ids: Iterable[str]) -> dict[str, Subject]:
        with self._lock:
            return {i: self._subjects[i] for i in set(ids) if i in self._subjects}

    def records_of(self, subject_id: str) -> list[LedgerRecord]:
        with self._lock:
            return self._ledger(self._by_subject.get(subject_id, []))

    def ledgers_of(self, subject_ids: Collection[str]) -> dict[str, Ledger]:
        with self._lock:
            return {
                sid: (self._size(ids), self._ledger(ids))
                for sid in subject_ids
                if (ids := self._by_subject.get(sid))
            }

    def record(self, record_id: str) -> LedgerRecord | None:
        with self._lock:
            found = self._ledger([record_id] if record_id in self._records else [])
        return found[0] if found else None

    def _ledger(self, ids: list[str]) -> list[LedgerRecord]:
        held = sorted((self._records[i] for i in ids), key=lambda h: (h[1].occurred_at, h[0]))
        return [LedgerRecord(r, status_from(self._entries_of(r.record_id))) for _, r, _ in held]

    def ledger_size(self, subject_id: str) -> int:
        with self._lock:
            return self._size(self._by_subject.get(subject_id, []))

    def _size(self, ids: list[str]) -> int:
        return len(ids) + sum(len(self._entries.get(rid, [])) for rid in ids)

    def open_objections(self) -> list[Entry]:
        found = self.entries_of_kind(["objection", "decision"])
        decided = {e.data.get("objection_id") for e in found if e.kind == "decision"}
        return [
            e for e in found if e.kind == "objection" and e.data.get("objection_id") not in decided
        ]

    def recorded_at(self, record_id: str) -> datetime | None:
        with self._lock:
            return self._recorded_at.get(record_id)

    def append_entry(self, entry: Entry) -> int:
        return self.append_entries([entry])[0]

    def append_entries(self, entries: Sequence[Entry]) -> list[int]:
        return self._append_entries(entries, [])

    def _append_entries(
        self, entries: Sequence[Entry], grown: list[tuple[LeafKind, str, Hash]]
    ) -> list[int]:
        """Append `entries` after the leaves `grown` (records appended with them) and sign."""
        with self._lock:
            for entry in entries:
                if entry.record_id not in self._records:
                    raise UnknownRecord(f"no record {entry.record_id!r} in the ledger")
            steps = self._steps_of(entries)
            seqs = []
            for entry in entries:
                self._seq += 1
                stored = replace(entry, data=dict(entry.data), seq=self._seq)
                self._entries.setdefault(entry.record_id, []).append(stored)
                self._scores.pop(self._records[entry.record_id][1].subject.id, None)
                seqs.append(self._seq)
                grown.append(("entry", str(self._seq), hash_of(entry_json(stored))))
            self._steps.update(steps)
            self._restatus(entries)
            self._grow(grown)
            return seqs

    def _steps_of(self, entries: Sequence[Entry]) -> list[str]:
        """The single-use steps `entries` take; raises `StepTaken` if one is taken already,
        or if one is an objection or decision on a record withdrawn before this batch."""
        steps: list[str] = []
        for entry in entries:
            step = single_use_step(entry)
            if step is not None:
                if step in self._steps or step in steps:
                    raise StepTaken(step)
                steps.append(step)
            if after_withdrawal(entry) and withdrawal_in(self._entries_of(entry.record_id)):
                raise StepTaken(f"withdrawal {entry.record_id}")
        withdrawn = {e.record_id for e in entries if e.kind == "withdrawal"}
        if withdrawn:
            opened = [o for o in self.open_objections() if o.record_id in withdrawn]
            if (step := left_open(entries, opened)) is not None:
                raise StepTaken(step)
        return steps

    # -- the audit log's contents (the log itself: `MemoryLog`) --------------------------

    def audit_runs(
        self, processes: int | None = None, meanwhile: Callable[[], None] = lambda: None
    ) -> dict[str, Run]:
        meanwhile()
        return runs_of(self.audit_contents())

    def audit_contents(self) -> Iterator[Held]:
        with self._lock:
            packs = self.packs()
            held = sorted(self._records.values(), key=lambda h: h[0])
            stamps = dict(self._recorded_at)
            found = sorted((e for es in self._entries.values() for e in es), key=_seq)
            acts = list(self._admin)
        for pack in packs:
            yield "pack", pack_ref(pack.pack_id, pack.version), _pack_leaf(pack), 0
        for seq, record, _ in held:
            stamp = stamps[record.record_id]
            yield "record", record.record_id, hash_of(record_json(record, stamp)), seq
        for entry in found:
            yield "entry", str(entry.seq), hash_of(entry_json(entry)), _seq(entry)
        for act in acts:
            yield "admin", str(act.seq), hash_of(admin_json(act)), act.seq or 0

    # -- administrators' acts ---------------------------------------------------------------

    def audited(self, act: Callable[[], Sequence[AdminEntry]]) -> list[AdminEntry]:
        """Run `act` under the ledger's lock and append the admin entries it returns, with
        their leaves and a head, before anyone else may append: the memory companions'
        equivalent of the databases' one transaction."""
        with self._lock:
            made = [replace(e, seq=len(self._admin) + i) for i, e in enumerate(act(), 1)]
            self._admin.extend(made)
            self._grow([("admin", str(e.seq), hash_of(admin_json(e))) for e in made])
            return made

    def append_admin(self, act: Callable[[], Sequence[AdminEntry]]) -> list[AdminEntry]:
        return self.audited(act)

    def admin_entries(
        self, *, subject_id: str | None = None, after: int = 0, limit: int | None = None
    ) -> list[AdminEntry]:
        with self._lock:
            found = [
                e
                for e in self._admin
                if (e.seq or 0) > after and (subject_id is None or e.subject_id == subject_id)
            ]
        return found if limit is None else found[:limit]

    def entries_of(self, record_id: str) -> list[Entry]:
        with self._lock:
            return self._entries_of(record_id)

    def entries_of_kind(
        self,
        kinds: Collection[str],
        *,
        subject_id: str | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> list[Entry]:
        with self._lock:
            ids = self._by_subject.get(subject_id, []) if subject_id is not None else None
            pool = (
                [e for rid in ids for e in self._entries.get(rid, [])]
                if ids is not None
                else [e for found in self._entries.values() for e in found]
            )
        chosen = sorted((e for e in pool if e.kind in kinds and (e.seq or 0) > after), key=_seq)
        return chosen if limit is None else chosen[:limit]

    def _entries_of(self, record_id: str) -> list[Entry]:
        return list(self._entries.get(record_id, []))

    def count_records(self) -> int:
        with self._lock:
            return len(self._records)

    def iter_records(self, batch_size: int = 10_000) -> Iterator[list[LedgerRecord]]:
        with self._lock:
            ledgers = [self.records_of(s) for s in sorted(self._by_subject)]
        batch: list[LedgerRecord] = []
        for ledger in ledgers:
            if batch and len(batch) + len(ledger) > batch_size:
                yield batch
                batch = []
            batch.extend(ledger)
        if batch:
            yield batch

    # -- materialised scores ----------------------------------------------------------------

    def replace_scores(self, run: ScoreRun, scores: Iterable[StoredScore]) -> int:
        with self._lock:
            self._runs.append(run)
            run_id = len(self._runs)
            self._scores = {s.subject_id: replace(s, run_id=run_id) for s in scores}
            return run_id

    def add_scores(self, run: ScoreRun, scores: Iterable[StoredScore]) -> int:
        with self._lock:
            self._runs.append(run)
            run_id = len(self._runs)
            self._scores.update((s.subject_id, replace(s, run_id=run_id)) for s in scores)
            return run_id

    def holding_scores(
        self, as_of: date, since: datetime | None
    ) -> dict[str, tuple[str, int, str]]:
        with self._lock:
            return {
                s.subject_id: (s.pack_id, s.version, s.checksum)
                for s in self._scores.values()
                if s.holds_on(as_of) and (since is None or s.computed_at >= since)
            }

    def put_score(self, score: StoredScore) -> None:
        self.put_scores([score])

    def put_scores(self, scores: Sequence[StoredScore]) -> None:
        with self._lock:
            for score in scores:
                held = self._scores.get(score.subject_id)
                if (
                    held
                    and held.ledger_size
                    and score.ledger_size
                    and held.ledger_size > score.ledger_size
                ):
                    continue
                self._scores[score.subject_id] = score

    def stored_score(self, subject_id: str) -> StoredScore | None:
        with self._lock:
            return self._scores.get(subject_id)

    def last_run(self) -> ScoreRun | None:
        with self._lock:
            return self._runs[-1] if self._runs else None


def _pack_leaf(pack: StoredPack) -> Hash:
    return hash_of(pack_json(pack))


def _seq(entry: Entry) -> int:
    return entry.seq or 0
