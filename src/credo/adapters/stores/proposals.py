"""Proposed pack versions and their simulation reports (`credo pack propose`): what a version
would do is public before it takes effect. A proposal is never changed, except to note when
the version it proposes is adopted."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from credo.adapters.stores.sql.tables import proposals, transaction


@dataclass(frozen=True, slots=True)
class NewProposal:
    pack_id: str
    version: int
    effective_from: date
    checksum: str
    source: str  # the YAML text as proposed
    report: str  # the published simulation report, as JSON text
    proposed_at: datetime


@dataclass(frozen=True, slots=True)
class StoredProposal:
    proposal_id: int
    pack_id: str
    version: int
    effective_from: date
    checksum: str
    source: str
    report: str
    proposed_at: datetime
    adopted_at: datetime | None = None


class ProposalStore(Protocol):
    """Implementations: `SqlProposals` (on the ledger's engine and migrations) and
    `MemoryProposals`."""

    def propose(self, p: NewProposal) -> StoredProposal: ...

    def proposals(self) -> list[StoredProposal]:
        """Every proposal, the newest first."""

    def proposal(self, proposal_id: int) -> StoredProposal | None: ...

    def carried_out(self, pack_id: str, version: int, checksum: str, *, at: datetime) -> int | None:
        """Note that the version with this content is adopted: the newest proposal of it not yet
        carried out is marked so, at `at`; its id, or None if none proposed it."""


class SqlProposals:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def propose(self, p: NewProposal) -> StoredProposal:
        values = {
            "pack_id": p.pack_id,
            "version": p.version,
            "effective_from": p.effective_from,
            "checksum": p.checksum,
            "source": p.source,
            "report": p.report,
            "proposed_at": p.proposed_at,
        }
        with transaction(self.engine, write=True, what="proposals") as conn:
            made = conn.execute(insert(proposals).values(values).returning(proposals.c.proposal_id))
            return StoredProposal(int(made.scalar_one()), **values)  # type: ignore[arg-type]

    def proposals(self) -> list[StoredProposal]:
        with transaction(self.engine, write=False, what="proposals") as conn:
            rows = conn.execute(select(proposals).order_by(proposals.c.proposal_id.desc()))
            return [StoredProposal(*row) for row in rows]

    def proposal(self, proposal_id: int) -> StoredProposal | None:
        with transaction(self.engine, write=False, what="proposals") as conn:
            row = conn.execute(
                select(proposals).where(proposals.c.proposal_id == proposal_id)
            ).first()
            return StoredProposal(*row) if row else None

    def carried_out(self, pack_id: str, version: int, checksum: str, *, at: datetime) -> int | None:
        c = proposals.c
        with transaction(self.engine, write=True, what="proposals") as conn:
            found = conn.execute(
                select(c.proposal_id)
                .where(c.pack_id == pack_id, c.version == version, c.checksum == checksum)
                .where(c.adopted_at.is_(None))
                .order_by(c.proposal_id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if found is None:
                return None
            conn.execute(update(proposals).where(c.proposal_id == found).values(adopted_at=at))
            return int(found)


class MemoryProposals:
    def __init__(self) -> None:
        self._held: list[StoredProposal] = []
        self._lock = threading.Lock()

    def propose(self, p: NewProposal) -> StoredProposal:
        with self._lock:
            made = StoredProposal(
                len(self._held) + 1,
                p.pack_id,
                p.version,
                p.effective_from,
                p.checksum,
                p.source,
                p.report,
                p.proposed_at,
            )
            self._held.append(made)
            return made

    def proposals(self) -> list[StoredProposal]:
        with self._lock:
            return list(reversed(self._held))

    def proposal(self, proposal_id: int) -> StoredProposal | None:
        with self._lock:
            return next((p for p in self._held if p.proposal_id == proposal_id), None)

    def carried_out(self, pack_id: str, version: int, checksum: str, *, at: datetime) -> int | None:
        with self._lock:
            for i in reversed(range(len(self._held))):
                p = self._held[i]
                if (p.pack_id, p.version, p.checksum) == (pack_id, version, checksum) and (
                    p.adopted_at is None
                ):
                    self._held[i] = replace(p, adopted_at=at)
                    return p.proposal_id
            return None
