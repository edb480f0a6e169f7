"""Proposed pack versions on every store: recorded in order, read back as written, and the
newest open proposal of a version marked carried out when that version is adopted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from credo.adapters.stores.proposals import NewProposal
from credo.adapters.stores.protocol import LedgerStore
from credo.bootstrap import build_companions
from tests.contract.samples import NOW

PROPOSAL = NewProposal(
    "rongcheng",
    3,
    date(2026, 10, 1),
    "sha256:" + "a" * 64,
    "pack: rongcheng\n",
    '{"packs":[]}',
    NOW,
)


def test_proposals_are_kept_newest_first_and_carried_out_once(store: LedgerStore) -> None:
    proposals = build_companions(store).proposals
    assert proposals.proposals() == []
    first = proposals.propose(PROPOSAL)
    revised = proposals.propose(
        replace(PROPOSAL, checksum="sha256:" + "b" * 64, proposed_at=NOW + timedelta(days=1))
    )
    again = proposals.propose(replace(PROPOSAL, proposed_at=NOW + timedelta(days=2)))
    assert [p.proposal_id for p in proposals.proposals()] == [
        again.proposal_id,
        revised.proposal_id,
        first.proposal_id,
    ]
    held = proposals.proposal(first.proposal_id)
    assert held == first
    assert held is not None
    assert (held.pack_id, held.version, held.effective_from) == ("rongcheng", 3, date(2026, 10, 1))
    assert (held.source, held.report, held.proposed_at) == (PROPOSAL.source, PROPOSAL.report, NOW)
    assert held.adopted_at is None
    assert proposals.proposal(10_000) is None

    later = NOW + timedelta(days=5)
    # The newest open proposal of that content is the one carried out, and only once.
    assert proposals.carried_out("rongcheng", 3, PROPOSAL.checksum, at=later) == again.proposal_id
    assert proposals.carried_out("rongcheng", 3, PROPOSAL.checksum, at=later) == first.proposal_id
    assert proposals.carried_out("rongcheng", 3, PROPOSAL.checksum, at=later) is None
    assert proposals.carried_out("rongcheng", 4, PROPOSAL.checksum, at=later) is None
    marked = proposals.proposal(again.proposal_id)
    assert marked is not None
    assert marked.adopted_at == later
    unmarked = proposals.proposal(revised.proposal_id)
    assert unmarked is not None
    assert unmarked.adopted_at is None
