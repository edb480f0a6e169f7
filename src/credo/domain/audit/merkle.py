"""The ledger's Merkle tree, exactly as RFC 9162 §2.1 defines it (Certificate Transparency), so
any tool that checks a CT log can check this one.

Leaves are `SHA-256(0x00 || bytes)`, interior nodes `SHA-256(0x01 || left || right)`; a tree
of n leaves splits at k, the largest power of two below n. Indexes start at 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from credo.domain.errors import ProofError

Hash = bytes
HASH_SIZE = 32
"""Bytes in a SHA-256 hash: how a run of hashes end to end is cut (`frontier`, `Run`)."""

EMPTY_ROOT: Hash = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[Hash]) -> Hash:
    """MTH over leaf hashes, bottom up: pairing neighbours level by level and carrying an odd
    last node up gives the same tree as the RFC's split at the largest power of two."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


Span = tuple[int, int]
"""Leaves `[lo, hi)`: the range an interior hash of a proof stands for."""

Node = tuple[int, int]
"""`(level, position)`: the perfect subtree over leaves `[position << level, (position + 1) <<
level)`. Level 0 is a leaf."""

STRIDE = 4
"""The levels whose nodes a store keeps: multiples of 4 (subtrees of 16, 256, 4,096… leaves).
Any perfect subtree is then folded from at most 2**(STRIDE - 1) = 8 stored hashes, so a proof
reads O(log n) rows, while appending writes one stored node per 15 leaves or so."""


def inclusion_spans(size: int, index: int) -> list[Span]:
    """What each hash of PATH(index, D[size]) (RFC 9162 §2.1.3.1) is the root of, in the
    proof's order."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    spans: list[Span] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo, m = lo + k, m - k
    spans.reverse()
    return spans


def consistency_spans(first: int, size: int) -> list[Span]:
    """What each hash of PROOF(first, D[size]) (RFC 9162 §2.1.4.1) is the root of, in the
    proof's order."""
    if not 0 < first <= size:
        raise ProofError(f"no consistency proof from size {first} to size {size}")
    spans: list[Span] = []
    lo, hi, m, whole = 0, size, first, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        spans.append((lo, hi))
    spans.reverse()
    return spans


def inclusion_proof(leaves: Sequence[Hash], index: int) -> list[Hash]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for leaf `index` in the tree of `leaves`."""
    return [root_of(leaves[lo:hi]) for lo, hi in inclusion_spans(len(leaves), index)]


def consistency_proof(leaves: Sequence[Hash], first: int) -> list[Hash]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1: that the tree of size `first` is a prefix of the
    tree of `leaves`."""
    return [root_of(leaves[lo:hi]) for lo, hi in consistency_spans(first, len(leaves))]


def span_nodes(span: Span) -> list[Node]:
    """The perfect subtrees a proof's span is made of, largest (leftmost) first: one per bit of
    its width, as the RFC's split at the largest power of two below the width gives them."""
    lo, hi = span
    nodes: list[Node] = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo & ((1 << level) - 1):
            level -= 1
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes


def span_root(hashes: Sequence[Hash]) -> Hash:
    """MTH of a span from the roots of its `span_nodes`, in that order."""
    r = hashes[-1]
    for h in reversed(hashes[:-1]):
        r = node_hash(h, r)
    return r


def prefix_roots(leaves: Sequence[Hash], sizes: Sequence[int]) -> list[Hash]:
    """The root of the tree of the first `size` leaves, for each of `sizes` (each at most
    `len(leaves)`): every head of a log checked in one pass. The perfect subtrees are hashed
    level by level, each level a list built from the one below, keeping of each level only the
    nodes the prefixes are made of (`span_nodes`): one hash per interior node, as `Frontier`
    costs, without its bookkeeping per leaf."""
    wanted = {node for size in sizes for node in span_nodes((0, size))}
    found: dict[Node, Hash] = {}
    sha256 = hashlib.sha256
    level, hashes = 0, list(leaves)
    while hashes:
        found.update((n, hashes[n[1]]) for n in wanted if n[0] == level)
        # An odd last node has no neighbour at this level, and is in no perfect subtree above.
        pairs = zip(hashes[0::2], hashes[1::2], strict=False)
        hashes = [sha256(b"\x01" + left + right).digest() for left, right in pairs]
        level += 1
    return [
        span_root([found[n] for n in span_nodes((0, size))]) if size else EMPTY_ROOT
        for size in sizes
    ]


def proof_from_nodes(spans: Sequence[Span], nodes: Mapping[Node, Hash]) -> list[Hash]:
    """A proof's hashes from the roots of the perfect subtrees its spans are made of."""
    return [span_root([nodes[n] for n in span_nodes(span)]) for span in spans]


def stored_rows(node: Node) -> tuple[int, int, int]:
    """Where a store that keeps the levels of `STRIDE` finds `node`: the level it is folded
    from (0: the leaves), the first position there, and how many hashes (a power of two)."""
    level, position = node
    base = level - level % STRIDE
    width = 1 << (level - base)
    return base, position * width, width


def root_from_inclusion(index: int, size: int, leaf: Hash, proof: Sequence[Hash]) -> Hash:
    """The root that `proof` leads to from `leaf` (RFC 9162 §2.1.3.2); raises `ProofError` when
    the proof has the wrong shape for this index and size."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(index: int, size: int, leaf: Hash, proof: Sequence[Hash], root: Hash) -> bool:
    try:
        return root_from_inclusion(index, size, leaf, proof) == root
    except ProofError:
        return False


def verify_consistency(
    first: int, second: int, first_root: Hash, second_root: Hash, proof: Sequence[Hash]
) -> bool:
    """RFC 9162 §2.1.4.2: whether `proof` shows the tree (first, first_root) is a prefix of
    the tree (second, second_root)."""
    if not 0 < first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a node of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


class Frontier:
    """The roots of the perfect subtrees along the tree's right edge (one per bit set in its
    size): enough to append leaves and give the root without reading the leaves again."""

    def __init__(self, size: int = 0, hashes: Sequence[Hash] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ProofError(f"a frontier of size {size} holds {size.bit_count()} hashes")
        self.size = size
        self._nodes: list[tuple[int, Hash]] = []
        rest = size
        for h in hashes:
            width = 1 << (rest.bit_length() - 1)
            self._nodes.append((width, h))
            rest -= width

    @property
    def hashes(self) -> list[Hash]:
        return [h for _, h in self._nodes]

    def append(self, leaf: Hash) -> None:
        self._nodes.append((1, leaf))
        self.size += 1
        while len(self._nodes) > 1 and self._nodes[-1][0] == self._nodes[-2][0]:
            (width, left), (_, right) = self._nodes[-2], self._nodes[-1]
            self._nodes[-2:] = [(2 * width, node_hash(left, right))]

    def extend(self, leaves: Iterable[Hash]) -> list[tuple[int, int, Hash]]:
        """Append `leaves`; the subtrees completed on the levels a store keeps (`STRIDE`, level
        0 excepted), as `(level, position, hash)`, in the order they were completed."""
        kept: list[tuple[int, int, Hash]] = []
        nodes, size = self._nodes, self.size
        for leaf in leaves:
            nodes.append((1, leaf))
            size += 1
            if size & 1:
                continue  # an odd size completes no subtree: the leaf waits for a neighbour
            while len(nodes) > 1 and nodes[-1][0] == nodes[-2][0]:
                (width, left), (_, right) = nodes[-2], nodes[-1]
                width *= 2
                h = node_hash(left, right)
                nodes[-2:] = [(width, h)]
                level = width.bit_length() - 1
                if level % STRIDE == 0:
                    kept.append((level, (size - width) >> level, h))
        self.size = size
        return kept

    def root(self) -> Hash:
        if not self._nodes:
            return EMPTY_ROOT
        r = self._nodes[-1][1]
        for _, h in reversed(self._nodes[:-1]):
            r = node_hash(h, r)
        return r
