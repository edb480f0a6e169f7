"""`credo simulate`: the population under the rulebook as adopted and under the rulebook with
proposed versions added, on the same engine and the same ledger; nothing adopted, nothing written.

Both runs are the population engine's own recompute (`credo recompute` without writing), so a
proposal, once adopted, scores exactly as simulated. The comparison of the two runs is in
`credo.services.packs.simulate_compare`. A proposal `pack adopt` would refuse for judging
records more harshly (SPEC §3) is still simulated, and reported as refused with those records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from credo.adapters.engines.protocol import LedgerSource, PopulationEngine, Progress
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.errors import PackConflict
from credo.domain.rules.packs import Pack
from credo.domain.rules.rulebook import PackVersion, Rulebook, checksum
from credo.services.packs.adopt import Harsher, harsher_records, refuse_inconsistent
from credo.services.packs.check import load_pack
from credo.services.packs.rulebook import current_rulebook
from credo.services.packs.simulate_compare import PackEffect, compare
from credo.services.packs.simulate_json import effect_json


@dataclass(frozen=True)
class Proposal:
    pack: Pack
    checksum: str
    source: str  # the file as written, kept with a proposal
    harsher: Harsher
    already_adopted: bool  # the same version with the same content is adopted already

    @property
    def refused(self) -> bool:
        return self.harsher.count > 0


@dataclass(frozen=True)
class Simulation:
    as_of: date
    engine: str
    proposals: tuple[Proposal, ...]
    packs: tuple[PackEffect, ...]
    records: int
    seconds: float


def read_proposals(paths: Sequence[Path]) -> list[tuple[Pack, str]]:
    return [(load_pack(p), p.read_text(encoding="utf-8")) for p in paths]


def proposed_rulebook(
    store: LedgerStore, before: Rulebook, packs: Sequence[tuple[Pack, str]]
) -> tuple[Rulebook, list[Proposal]]:
    """`before` with each proposed version added in turn, as `pack adopt` would take them: a
    version inconsistent with the others is an error; one judging recorded records more
    harshly is kept, and marked refused."""
    rulebook = before
    proposals = []
    for pack, source in packs:
        digest = checksum(pack)
        same = [
            v for v in rulebook.all_versions() if (v.id, v.version) == (pack.pack, pack.version)
        ]
        if same and same[0].checksum != digest:
            raise PackConflict(
                f"pack `{pack.pack}` version {pack.version} is adopted with other content; "
                "a proposal is a new version"
            )
        refuse_inconsistent(rulebook, pack)
        harsher = harsher_records(store, rulebook, pack)
        proposals.append(Proposal(pack, digest, source, harsher, bool(same)))
        if not same:
            rulebook = Rulebook([*rulebook.all_versions(), PackVersion(pack, digest)])
    return rulebook, proposals


def default_as_of(today: date, packs: Sequence[tuple[Pack, str]]) -> date:
    """Today, or the day the last proposal would take effect if that is later: what a
    proposal does is seen once it is in force."""
    return max([today, *(p.effective_from for p, _ in packs)])


def simulate(
    store: LedgerStore,
    engine: PopulationEngine,
    packs: Sequence[tuple[Pack, str]],
    *,
    as_of: date,
    source: LedgerSource | None = None,
    progress: Progress | None = None,
) -> Simulation:
    before = current_rulebook(store)
    after, proposals = proposed_rulebook(store, before, packs)
    if source is None:
        if progress:
            progress("exporting the ledger")
        records, entries = store.export()
        source = LedgerSource(records, entries)

    def told(run: str) -> Progress | None:
        return (lambda stage: progress(f"{run}: {stage}")) if progress else None

    now = engine.recompute(source, before, as_of, detail=True, progress=told("as adopted"))
    then = engine.recompute(source, after, as_of, detail=True, progress=told("as proposed"))
    if progress:
        progress("comparing")
    proposed = {p.pack.pack for p in proposals}
    effects = compare(now, then, before, after, as_of, proposed)
    return Simulation(
        as_of,
        engine.name,
        tuple(proposals),
        tuple(effects),
        now.records,
        now.seconds + then.seconds,
    )


def simulation_json(sim: Simulation, *, published: bool = False) -> dict[str, Any]:
    """`credo simulate --json` (SPEC §6), with each proposal and whether `pack adopt` would take
    it. `published` (the report and a recorded proposal): no transition cell under MIN_CELL."""
    return {
        "as_of": sim.as_of.isoformat(),
        "engine": sim.engine,
        "records": sim.records,
        "proposals": [
            {
                "pack": p.pack.pack,
                "version": p.pack.version,
                "effective_from": p.pack.effective_from.isoformat(),
                "checksum": p.checksum,
                "already_adopted": p.already_adopted,
                "refused": p.refused,
                "would_harden": {
                    "records": p.harsher.count,
                    "first": [
                        {
                            "record_id": h.record.record_id,
                            "source": h.record.source,
                            "source_ref": h.record.source_ref,
                            "occurred_at": h.record.occurred_at.isoformat(),
                            "on": h.on.isoformat(),
                            "how": h.how,
                        }
                        for h in p.harsher.first
                    ],
                },
            }
            for p in sim.proposals
        ],
        "packs": [effect_json(e, published=published) for e in sim.packs],
    }
