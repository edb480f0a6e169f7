"""The audit log of a memory ledger: its leaves, its signed heads and the frontier they grow
from, and the reads proofs and `audit verify` make of them. `MemoryLedgerStore` holds the state
(under its one lock) and appends to the log as it appends to the ledger."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from credo.domain.audit.leaves import Leaf, LeafKind, Logged, logged
from credo.domain.audit.merkle import Frontier, Hash, Node, root_of
from credo.domain.audit.tree_heads import HeadSigner, TreeHead, sign_head
from credo.domain.errors import ProofError


class MemoryLog:
    signer: HeadSigner
    _leaves: list[Leaf]
    _heads: list[TreeHead]
    _frontier: Frontier
    _lock: threading.RLock

    def _grow(self, items: Sequence[tuple[LeafKind, str, Hash]]) -> None:
        if not items:
            return
        for kind, ref, leaf in items:
            self._leaves.append(Leaf(len(self._leaves), kind, ref, leaf))
            self._frontier.append(leaf)
        at = datetime.now(UTC)
        self._heads.append(sign_head(self.signer, self._frontier.size, self._frontier.root(), at))

    def signed_head(self, tree_size: int | None = None) -> TreeHead | None:
        with self._lock:
            if tree_size is None:
                return self._heads[-1] if self._heads else None
            return next((h for h in self._heads if h.tree_size == tree_size), None)

    def signed_heads(self) -> list[TreeHead]:
        with self._lock:
            return list(self._heads)

    def subtrees(self, nodes: Collection[Node]) -> dict[Node, Hash]:
        # Memory holds every leaf at hand: each subtree is folded from its leaves.
        with self._lock:
            hashes = [leaf.hash for leaf in self._leaves]
        found: dict[Node, Hash] = {}
        for level, position in nodes:
            lo, hi = position << level, (position + 1) << level
            if hi > len(hashes):
                raise ProofError(f"the log has no subtree at level {level}, position {position}")
            found[(level, position)] = root_of(hashes[lo:hi])
        return found

    def leaves(self, after: int = 0, limit: int | None = None) -> list[Leaf]:
        with self._lock:
            end = None if limit is None else after + limit
            return self._leaves[after:end]

    def leaf_columns(self) -> Logged:
        with self._lock:
            return logged([(x.kind, x.ref, x.hash, x.index) for x in self._leaves])

    def leaf_indexes(self, kind: LeafKind, refs: Collection[str]) -> dict[str, int]:
        wanted = set(refs)
        with self._lock:
            return {x.ref: x.index for x in self._leaves if x.kind == kind and x.ref in wanted}
