"""Random lives of records: submit, replay, object, decide, withdraw and repair in any order,
through the same use cases as the API, on an SQLite ledger. After every step the online path
(the stored score kept in real time, the check and the review queue) must equal a simple
model's own account, and the DuckDB recompute of the whole ledger must equal both. A withdrawal
closes an open objection as moot; a withdrawn record takes no objection or decision after."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import hypothesis.strategies as st
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, precondition, rule

from credo.adapters.engines.duckdb_engine import DuckDbEngine
from credo.adapters.engines.protocol import LedgerSource
from credo.adapters.engines.sql.ledger import statuses
from credo.adapters.stores.sql.sqlite import SqliteLedgerStore
from credo.bootstrap import Context
from credo.domain.due_process.objections import Objection, ObjectionRefused
from credo.domain.errors import CredoError
from credo.domain.ledger.entries import Entry, EntryKind, status_from
from credo.domain.ledger.records import RecordStatus
from credo.domain.scoring.measures import check
from credo.services.access.keys import Caller, Role
from credo.services.due_process.objections import (
    decide_objection,
    file_objection,
    objection_by_id,
    objection_queue,
    objection_windows,
)
from credo.services.due_process.withdrawals import AlreadyWithdrawn, withdraw_record
from credo.services.intake.records_api import submit_records
from credo.services.packs.adopt import adopt_pack_file
from credo.services.packs.rulebook import current_rulebook
from credo.services.rating.subject import score_subject
from credo.settings import Settings

PACK = Path(__file__).parent / "lifecycle-v1.yaml"
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
TODAY = NOW.date()
FIRST = date(2026, 1, 1)
SUBJECTS = ["p-1", "p-2", "p-3"]
KINDS = ["traffic.violation", "court.judgment_default", "civic.volunteering"]
PROVIDER = Caller(
    "k-1",
    Role.PROVIDER,
    "agency",
    frozenset([*KINDS, "court.judgment_satisfied"]),
    None,
)
ENGINE = DuckDbEngine(threads=1)


@dataclass
class Modelled:
    """The model's account of one record."""

    subject: str
    type: str
    severity: int
    occurred: date
    case_ref: str | None
    withdrawn: bool = False
    overturned: bool = False
    open_objection: str | None = None
    objections: int = 0
    mooted: str | None = None  # the objection its withdrawal closed as moot

    @property
    def points(self) -> int:
        if self.type == "traffic.violation":
            return -5 if self.severity <= 2 else -60
        return {"court.judgment_default": -100, "civic.volunteering": 10}.get(self.type, 0)

    @property
    def void(self) -> bool:
        return self.withdrawn or self.overturned

    @property
    def counts(self) -> bool:  # while_disputed: suspend
        return not self.void and self.open_objection is None


class DueProcess(RuleBasedStateMachine):
    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="credo-stateful-"))
        url = f"sqlite:///{self.dir / 'credo.db'}"
        self.store = SqliteLedgerStore(url)
        self.store.migrate()
        adopt_pack_file(self.store, PACK, now=NOW, actor="cli:test")
        self.ctx = Context(Settings(database_url=url), self.store, clock=lambda: NOW)
        self.rulebook = current_rulebook(self.store)
        self.model: dict[str, Modelled] = {}
        self.sent: dict[str, dict[str, Any]] = {}
        self.refs = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- what happens -----------------------------------------------------------------------

    def _submit(self, body: dict[str, Any]) -> list[Any]:
        return submit_records(
            self.store, self.ctx.feeds, self.rulebook, PROVIDER, [body], today=TODAY, now=NOW
        )

    def _new(
        self, subject: str, type_: str, severity: int, occurred: date, case: str | None
    ) -> str:
        self.refs += 1
        body: dict[str, Any] = {
            "subject": {"id": subject, "kind": "person", "region": "XT-LC"},
            "type": type_,
            "occurred_at": occurred.isoformat(),
            "source_ref": f"R-{self.refs}",
            "attributes": {"severity": severity} if type_ == "traffic.violation" else {},
            "evidence": {"uri": f"https://records.example/R-{self.refs}", "sha256": "ab" * 32},
        }
        if case:
            body["case_ref"] = case
        (result,) = self._submit(body)
        assert result.status == "created", result
        rid = str(result.record_id)
        self.sent[rid] = body
        self.model[rid] = Modelled(
            subject, type_, severity if type_ == "traffic.violation" else 0, occurred, case
        )
        noticed = [e for e in self.store.entries_of(rid) if e.kind == "notice"]
        owed = self.model[rid].points < 0 or type_ == "court.judgment_default"
        assert len(noticed) == (1 if owed else 0)
        return rid

    @rule(
        target=records,
        subject=st.sampled_from(SUBJECTS),
        type_=st.sampled_from(KINDS),
        severity=st.integers(1, 5),
        day=st.integers(0, 300),
    )
    def submit(self, subject: str, type_: str, severity: int, day: int) -> str:
        case = f"C-{self.refs + 1}" if type_ == "court.judgment_default" else None
        return self._new(subject, type_, severity, FIRST + timedelta(days=day), case)

    @rule(target=records, default=records, days=st.integers(0, 30))
    def repair(self, default: str, days: int) -> str:
        admitted = self.model[default]
        if admitted.type != "court.judgment_default":
            return default
        on = min(admitted.occurred + timedelta(days=days), TODAY)
        return self._new(admitted.subject, "court.judgment_satisfied", 0, on, admitted.case_ref)

    @rule(rid=records)
    def replay(self, rid: str) -> None:
        (result,) = self._submit(self.sent[rid])
        assert result.status == "already present"

    @rule(rid=records)
    def object(self, rid: str) -> None:
        m = self.model[rid]

        def file() -> Objection:
            return file_objection(
                self.store,
                self.ctx.feeds,
                self.rulebook,
                subject_id=m.subject,
                record_id=rid,
                reason="not so",
                actor=m.subject,
                today=TODAY,
                now=NOW,
            )

        if m.withdrawn:
            with pytest.raises(ObjectionRefused, match="was withdrawn on"):
                file()
            return
        if m.open_objection is not None:
            with pytest.raises(ObjectionRefused, match="already has an open objection"):
                file()
            return
        o = file()
        m.objections += 1
        m.open_objection = o.objection_id
        assert o.objection_id == f"{rid}-o{m.objections}"

    @precondition(lambda self: any(m.open_objection for m in self.model.values()))
    @rule(data=st.data(), outcome=st.sampled_from(["upheld", "overturned"]))
    def decide(self, data: st.DataObject, outcome: str) -> None:
        open_ = sorted(rid for rid, m in self.model.items() if m.open_objection)
        rid = data.draw(st.sampled_from(open_))
        m = self.model[rid]
        oid = m.open_objection
        assert oid is not None
        decided = decide_objection(
            self.store,
            self.ctx.feeds,
            self.rulebook,
            objection_id=oid,
            outcome=outcome,  # type: ignore[arg-type]
            note="reviewed",
            reviewer="reviewer",
            today=TODAY,
            now=NOW,
        )
        assert decided.state == outcome
        m.open_objection = None
        m.overturned = outcome == "overturned"
        with pytest.raises(ObjectionRefused):
            decide_objection(
                self.store,
                self.ctx.feeds,
                self.rulebook,
                objection_id=oid,
                outcome="upheld",
                note="again",
                reviewer="reviewer",
                today=TODAY,
                now=NOW,
            )

    @rule(rid=records)
    def withdraw(self, rid: str) -> None:
        self._withdraw(rid)

    @precondition(lambda self: any(m.open_objection for m in self.model.values()))
    @rule(data=st.data())
    def withdraw_disputed(self, data: st.DataObject) -> None:
        """Withdrawn while an objection is open: the objection is closed as moot, the subject
        is told, and no reviewer can rule on it, nor can the subject object again."""
        open_ = sorted(rid for rid, m in self.model.items() if m.open_objection)
        rid = data.draw(st.sampled_from(open_))
        oid = self.model[rid].open_objection
        assert oid is not None
        self._withdraw(rid)
        closed = objection_by_id(self.store, oid)
        assert (closed.state, closed.decided_by, closed.note) == ("moot", "agency", "in error")
        told = [e for e in self.store.entries_of(rid) if e.kind == "notice"]
        assert told[-1].data["decision"]["outcome"] == "moot"
        for outcome in ("upheld", "overturned"):
            with pytest.raises(ObjectionRefused, match="was withdrawn on"):
                decide_objection(
                    self.store,
                    self.ctx.feeds,
                    self.rulebook,
                    objection_id=oid,
                    outcome=outcome,
                    note="late ruling",
                    reviewer="reviewer",
                    today=TODAY,
                    now=NOW,
                )
        self.object(rid)  # refused: the model checks why

    @precondition(lambda self: any(m.mooted for m in self.model.values()))
    @rule(data=st.data())
    def decide_mooted(self, data: st.DataObject) -> None:
        rid = data.draw(st.sampled_from(sorted(r for r, m in self.model.items() if m.mooted)))
        oid = self.model[rid].mooted
        assert oid is not None
        with pytest.raises(ObjectionRefused, match="was withdrawn on"):
            decide_objection(
                self.store,
                self.ctx.feeds,
                self.rulebook,
                objection_id=oid,
                outcome="upheld",
                note="late ruling",
                reviewer="reviewer",
                today=TODAY,
                now=NOW,
            )

    def _withdraw(self, rid: str) -> None:
        m = self.model[rid]
        try:
            withdraw_record(
                self.store,
                self.ctx.feeds,
                self.rulebook,
                record_id=rid,
                reason="in error",
                actor="agency",
                provider="agency",
                today=TODAY,
                now=NOW,
            )
        except AlreadyWithdrawn:
            assert m.withdrawn
            return
        assert not m.withdrawn
        m.withdrawn = True
        if m.open_objection is not None:
            m.mooted, m.open_objection = m.open_objection, None

    # -- what must hold after every step -------------------------------------------------------

    def expected(self) -> dict[str, tuple[int, str, bool]]:
        """Per subject: score, tier, and whether it is on the list."""
        out = {}
        for subject in sorted({m.subject for m in self.model.values()}):
            mine = [m for m in self.model.values() if m.subject == subject]
            score = max(800, 1000 + sum(m.points for m in mine if m.counts))
            tier = "A" if score >= 1000 else "B" if score >= 900 else "C"
            listed = any(
                d.type == "court.judgment_default"
                and d.counts
                and not any(
                    r.type == "court.judgment_satisfied" and r.case_ref == d.case_ref and not r.void
                    for r in mine
                )
                for d in mine
            )
            out[subject] = (score, tier, listed)
        return out

    @invariant()
    def online_equals_the_model(self) -> None:
        for subject, (score, tier, listed) in self.expected().items():
            stored = self.store.stored_score(subject)
            assert stored is not None, subject
            assert (stored.score, stored.tier) == (score, tier), subject
            assert bool(stored.lists) == listed, subject
            a = score_subject(self.store, subject, as_of=TODAY)
            assert (a.score, a.tier, bool(a.lists)) == (score, tier, listed)
            windows = objection_windows(self.store, self.rulebook)
            decision = check(a, "rail.ticket", windows=windows)
            assert decision.decision == ("deny" if listed else "allow")

    @invariant()
    def the_review_queue_equals_the_model(self) -> None:
        queue = objection_queue(self.store, state="open", today=TODAY)
        assert {o.objection_id for o in queue} == {
            m.open_objection for m in self.model.values() if m.open_objection
        }
        moot = objection_queue(self.store, state="moot", today=TODAY)
        assert {o.objection_id for o in moot} == {m.mooted for m in self.model.values() if m.mooted}

    @invariant()
    def the_engine_equals_the_model(self) -> None:
        if not self.model:
            return
        records, entries = self.store.export()
        result = ENGINE.recompute(LedgerSource(records, entries), self.rulebook, TODAY)
        got = {r["subject_id"]: (r["score"], r["tier"]) for r in result.scores.to_pylist()}
        listed = {r["subject_id"] for r in result.entries.to_pylist()}
        expected = self.expected()
        assert got == {s: (score, tier) for s, (score, tier, _) in expected.items()}
        assert listed == {s for s, (_, _, on) in expected.items() if on}


DueProcess.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_due_process = DueProcess.TestCase


def test_every_refusal_is_a_credo_error() -> None:
    # What the machine expects to be refused is refused as the project's own errors, which
    # the API and the command line turn into 409s and exit code 1.
    assert issubclass(AlreadyWithdrawn, CredoError)
    assert ObjectionRefused.status == 409


def test_a_moot_decision_is_no_ruling_online_or_in_sql() -> None:
    # o1 overturned, o2 filed and then closed as moot by the withdrawal: the record stays
    # overturned (and withdrawn), and nothing is disputed, in the domain and in the engines' SQL.
    at = NOW
    rows: list[tuple[EntryKind, str | None, str | None]] = [
        ("objection", "r-1-o1", None),
        ("decision", "r-1-o1", "overturned"),
        ("objection", "r-1-o2", None),
        ("withdrawal", None, None),
        ("decision", "r-1-o2", "moot"),
        ("objection", "r-2-o1", None),
        ("withdrawal", None, None),
        ("decision", "r-2-o1", "moot"),
    ]
    rids = ["r-1"] * 5 + ["r-2"] * 3
    entries = [
        Entry(kind, rid, "x", at, {"objection_id": oid, "outcome": out}, seq=n)
        for n, (rid, (kind, oid, out)) in enumerate(zip(rids, rows, strict=True), 1)
    ]
    online = {rid: status_from(e for e in entries if e.record_id == rid) for rid in ("r-1", "r-2")}
    assert online == {
        "r-1": RecordStatus(withdrawn=True, overturned=True, disputed=False),
        "r-2": RecordStatus(withdrawn=True, overturned=False, disputed=False),
    }
    table = pa.table(
        {
            "record_id": rids,
            "kind": [k for k, _, _ in rows],
            "at": [at] * len(rows),
            "seq": list(range(1, len(rows) + 1)),
            "objection_id": [o for _, o, _ in rows],
            "outcome": [out for _, _, out in rows],
        }
    )
    con = duckdb.connect()
    con.register("entries", table)
    got = con.sql(statuses("entries").sql(dialect="duckdb")).fetchall()
    assert {r[0]: RecordStatus(*r[1:]) for r in got} == online
