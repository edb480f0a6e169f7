"""`credo pack propose FILE`: a proposed version recorded with its simulation report, public
before it takes effect. A version `pack adopt` would refuse is not proposed: the report says
why, and nothing is recorded."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import orjson

from credo.adapters.engines.protocol import PopulationEngine, Progress
from credo.adapters.stores.proposals import NewProposal, ProposalStore, StoredProposal
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import Refused, WouldHarden
from credo.services.packs.simulate import Simulation, read_proposals, simulate, simulation_json


def propose_pack_file(
    store: LedgerStore,
    proposals: ProposalStore,
    engine: PopulationEngine,
    path: Path,
    *,
    as_of: date,
    now: datetime,
    progress: Progress | None = None,
) -> tuple[StoredProposal, Simulation]:
    packs = read_proposals([path])
    sim = simulate(store, engine, packs, as_of=as_of, progress=progress)
    [p] = sim.proposals
    name = f"pack `{p.pack.pack}` version {p.pack.version}"
    if p.already_adopted:
        raise Refused(f"{name} is adopted already: a proposal is a version not yet adopted")
    if p.refused:
        first = p.harsher.first[0]
        raise WouldHarden(
            f"{name} would judge {p.harsher.count} record{'s' if p.harsher.count != 1 else ''} "
            f"already in the ledger more harshly than now (the first: {first.record.record_id}, "
            f"{first.how}), and `pack adopt` would refuse it: it is not proposed"
        )
    report = orjson.dumps(simulation_json(sim, published=True)).decode()
    stored = proposals.propose(
        NewProposal(
            p.pack.pack, p.pack.version, p.pack.effective_from, p.checksum, p.source, report, now
        )
    )
    return stored, sim
