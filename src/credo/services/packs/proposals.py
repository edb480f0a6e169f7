"""Proposals as the portal and the API show them: each with its report and the diff from the
version it would follow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from credo.adapters.stores.proposals import ProposalStore, StoredProposal
from credo.adapters.stores.protocol import LedgerStore
from credo.domain.rules.pack_diff import PackDiff, diff_packs
from credo.services.packs.check import check_pack_text
from credo.services.packs.rulebook import current_rulebook


@dataclass(frozen=True)
class ProposalView:
    stored: StoredProposal
    report: dict[str, Any]
    diff: PackDiff | None  # from the adopted version before it; None for a new pack


def proposal_views(store: LedgerStore, proposals: ProposalStore) -> list[ProposalView]:
    rulebook = current_rulebook(store)
    views = []
    for p in proposals.proposals():
        pack, _ = check_pack_text(p.source, f"proposal {p.proposal_id}")
        history = rulebook.packs.get(p.pack_id)
        earlier = (
            [v for v in history.versions if v.version < p.version] if history is not None else []
        )
        base = max(earlier, key=lambda v: v.version) if earlier else None
        diff = diff_packs(base.pack, pack) if base is not None and pack is not None else None
        views.append(ProposalView(p, orjson.loads(p.report), diff))
    return views


def proposal_view(
    store: LedgerStore, proposals: ProposalStore, proposal_id: int
) -> ProposalView | None:
    return next(
        (v for v in proposal_views(store, proposals) if v.stored.proposal_id == proposal_id), None
    )
