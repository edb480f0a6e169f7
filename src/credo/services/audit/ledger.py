"""Checking the ledger against its log (`credo audit verify`), and the proofs the API serves.

Verification trusts nothing the database says about itself: every leaf is recomputed from the
stored entry, the tree is rebuilt from the leaves, and every signed head is checked against the
published keys and against the rebuilt tree at its size. Heads are all roots of one tree, so
each is consistent with the next exactly when both match it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from credo.adapters.stores.protocol import AuditLogStore
from credo.domain.audit.leaves import KINDS, SEQUENCED, Leaf, LeafKind, Logged, Run
from credo.domain.audit.merkle import (
    Hash,
    Span,
    consistency_spans,
    inclusion_spans,
    prefix_roots,
    proof_from_nodes,
    span_nodes,
)
from credo.domain.audit.tree_heads import TreeHead, head_fault
from credo.domain.errors import ProofError, UnknownTreeHead
from credo.services.heap import without_cycle_collection


@dataclass(frozen=True, slots=True)
class Verdict:
    tree_size: int
    root: Hash | None
    heads: int
    problem: str | None = None  # the first entry or head that does not verify, and how

    @property
    def ok(self) -> bool:
        return self.problem is None


def _named(leaf: Leaf) -> str:
    kinds = {"pack": "pack", "record": "record", "entry": "entry seq", "admin": "admin seq"}
    what = kinds.get(leaf.kind, leaf.kind)
    return f"entry {leaf.index} ({what} {leaf.ref})"


def verify_ledger(
    store: AuditLogStore, public_keys: Mapping[str, bytes], processes: int | None = None
) -> Verdict:
    """`processes`: how many workers hash a large ledger (default: one per core). While they
    hash the rows, this process reads the log and rebuilds its tree."""
    # Verification holds millions of small tuples and makes no reference cycles: the cycle
    # collector, run again and again over a growing heap, would cost a sixth of the time.
    with without_cycle_collection():
        log = _Log()
        held = store.audit_runs(processes, meanwhile=lambda: log.read(store, public_keys))
        size = len(log.columns.hashes)

        def verdict(problem: str) -> Verdict:
            return Verdict(size, None, len(log.heads), problem)

        if log.heads and log.heads[-1].tree_size > size:
            return verdict(
                f"missing: the log ends after {size} entries, but a head was signed over "
                f"{log.heads[-1].tree_size}; entries {size} to {log.heads[-1].tree_size - 1} "
                "are gone"
            )
        if not _as_logged(log.columns, held):
            # Something differs: read the log and the rows again, one by one, to name the
            # first that does.
            leaves = store.leaves()
            by_key = {(kind, ref): (h, seq) for kind, ref, h, seq in store.audit_contents()}
            problem = _first_leaf_problem(leaves, by_key) or _inserted(leaves, by_key)
            if problem:
                return verdict(problem)
        if log.problem:
            return verdict(log.problem)
        return Verdict(size, log.root, len(log.heads))


class _Log:
    """The log as read, and what its heads say of the tree rebuilt from its leaves."""

    columns: Logged
    heads: list[TreeHead]
    problem: str
    root: Hash | None

    def read(self, store: AuditLogStore, public_keys: Mapping[str, bytes]) -> None:
        self.columns = store.leaf_columns()
        self.heads = store.signed_heads()
        self.problem, self.root = _check_heads(self.columns.hashes, self.heads, public_keys)


def _as_logged(log: Logged, held: Mapping[str, Run]) -> bool:
    """Whether the leaves are numbered 0, 1, 2, … and each kind's leaves are, in order, the
    rows of that kind the ledger holds, with the same hashes (packs in any order), and no leaf
    is of another kind. When nothing was changed this is the whole comparison, a few list and
    byte-string comparisons; what it cannot tell apart (a change, a swap, a row missing or
    added) `_first_leaf_problem` names. Equal runs mean every leaf's row is held with its hash,
    no row is held that is not logged, and each kind's rows are numbered in the log's order:
    all that the slow path checks."""
    if not log.numbered or set(log.runs) != set(KINDS):
        return False
    return all(
        log.runs[kind].pairs() == held[kind].pairs()
        if kind == "pack"
        else log.runs[kind].refs == held[kind].refs and log.runs[kind].hashes == held[kind].hashes
        for kind in KINDS
    )


def _inserted(leaves: list[Leaf], held: dict[tuple[LeafKind, str], tuple[Hash, int]]) -> str:
    logged = {(leaf.kind, leaf.ref) for leaf in leaves}
    extra = [(seq, key) for key, (_, seq) in held.items() if key not in logged]
    if not extra:
        return ""
    _, (kind, ref) = min(extra)
    return f"inserted: {kind} {ref} is in the ledger but in no signed head"


def _first_leaf_problem(
    leaves: list[Leaf], held: dict[tuple[LeafKind, str], tuple[Hash, int]]
) -> str:
    position: dict[Hash, int] | None = None
    last_seq = dict.fromkeys(SEQUENCED, 0)
    for i, leaf in enumerate(leaves):
        if leaf.index != i:
            return f"missing: entry {i} is not in the log (the next one is {leaf.index})"
        found = held.get((leaf.kind, leaf.ref))
        if found is None:
            return f"missing: {_named(leaf)} is in the log but no longer in the ledger"
        now, seq = found
        if now != leaf.hash:
            if position is None:
                position = {x.hash: x.index for x in leaves}
            if now in position:
                return f"reordered: {_named(leaf)} now holds what entry {position[now]} held"
            return f"changed: {_named(leaf)} differs from what was logged"
        if leaf.kind != "pack":
            if seq < last_seq[leaf.kind]:
                return f"reordered: {_named(leaf)} is numbered before an entry logged earlier"
            last_seq[leaf.kind] = seq
    return ""


def _check_heads(
    hashes: list[Hash], heads: list[TreeHead], public_keys: Mapping[str, bytes]
) -> tuple[str, Hash | None]:
    """The first head that does not verify, if any, and the root of the whole tree."""
    size = len(hashes)
    # Every head's tree is a prefix of the log's: their roots in one pass over the leaves.
    sizes = sorted({head.tree_size for head in heads if 0 <= head.tree_size <= size} | {size})
    roots = dict(zip(sizes, prefix_roots(hashes, sizes), strict=True))
    earlier = 0
    for head in heads:
        fault = head_fault(head, public_keys)
        if fault:
            return f"head of size {head.tree_size} does not verify: {fault}", None
        if roots.get(head.tree_size) != head.root_hash:
            return (
                f"head of size {head.tree_size} does not verify: its root is not the tree's; "
                f"an entry from {earlier} to {head.tree_size - 1} was changed under its leaf"
            ), None
        earlier = head.tree_size
    if heads and heads[-1].tree_size < size:
        return f"inserted: entries {earlier} to {size - 1} are in no signed head", None
    if size and not heads:
        return "inserted: the log has entries but no signed head", None
    return "", roots[size] if size else None


def inclusion(store: AuditLogStore, leaf_index: int, tree_size: int) -> list[Hash]:
    _signed(store, tree_size)
    if not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf_index {leaf_index} is outside a tree of size {tree_size}")
    return _proof(store, inclusion_spans(tree_size, leaf_index))


def consistency(store: AuditLogStore, first: int, second: int) -> list[Hash]:
    _signed(store, second)
    if not 0 < first <= second:
        raise ProofError(f"first must be from 1 to second ({second}), not {first}")
    return _proof(store, consistency_spans(first, second))


def _signed(store: AuditLogStore, tree_size: int) -> None:
    """Proofs are given only for sizes a head was signed at."""
    if store.signed_head(tree_size) is None:
        raise UnknownTreeHead(f"no signed tree head has tree_size {tree_size}")


def _proof(store: AuditLogStore, spans: list[Span]) -> list[Hash]:
    """A proof from the stored subtrees its spans are made of: O(log n) of them, each read from
    at most 8 rows, never every leaf."""
    wanted = {node for span in spans for node in span_nodes(span)}
    return proof_from_nodes(spans, store.subtrees(wanted))
