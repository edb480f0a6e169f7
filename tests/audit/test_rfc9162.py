"""RFC 9162 §2.1 conformance: roots, inclusion and consistency proofs for every tree size from
1 to 300 agree with pymerkle, an implementation of the same RFC used only here, and with the
RFC's own recursive definitions written out below (pymerkle lays consistency proofs out in a
form of its own, so their hashes are compared with the RFC's `PROOF`)."""

from __future__ import annotations

import functools

import pymerkle
import pytest

from credo.domain.audit import merkle
from credo.domain.errors import ProofError

MAX = 300
ENTRIES = [f"entry {i}".encode() for i in range(MAX)]
LEAVES = [merkle.leaf_hash(e) for e in ENTRIES]


@pytest.fixture(scope="module")
def oracle() -> pymerkle.InmemoryTree:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in ENTRIES:
        tree.append_entry(entry)
    return tree


def _points(n: int) -> list[int]:
    """Every position in small trees; in larger ones the edges, the middle and each power of
    two with its neighbours, where the proofs change shape."""
    if n <= 64:
        return list(range(n))
    picked = {0, 1, n // 3, n // 2, n - 2, n - 1}
    for bit in range(n.bit_length()):
        picked |= {(1 << bit) - 1, 1 << bit, (1 << bit) + 1}
    return sorted(p for p in picked if 0 <= p < n)


@functools.cache
def _mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]), RFC 9162 §2.1.1, as written there (remembered: the sizes share them)."""
    n = hi - lo
    if n == 1:
        return LEAVES[lo]
    k = 1 << ((n - 1).bit_length() - 1)
    return merkle.node_hash(_mth(lo, lo + k), _mth(lo + k, hi))


def _subproof(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b), RFC 9162 §2.1.4.1, as written there."""
    n = hi - lo
    if m == n:
        return [] if whole else [_mth(lo, hi)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, lo, lo + k, whole), _mth(lo + k, hi)]
    return [*_subproof(m - k, lo + k, hi, False), _mth(lo, lo + k)]


def _flipped(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_leaf_and_node_hashes_are_prefixed() -> None:
    import hashlib

    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()


SIZES = range(1, MAX + 1)


def _at(n: int, m: int | None = None) -> str:
    return f"tree size {n}" + (f", {m}" if m is not None else "")


def test_roots_and_frontiers_for_every_size(oracle: pymerkle.InmemoryTree) -> None:
    frontier = merkle.Frontier()
    for n in SIZES:
        expected = oracle.get_root(n)
        assert _mth(0, n) == expected, _at(n)
        assert merkle.root_of(LEAVES[:n]) == expected, _at(n)
        frontier.append(LEAVES[n - 1])
        assert frontier.root() == expected, _at(n)
        assert merkle.Frontier(n, frontier.hashes).root() == expected, _at(n)


def test_the_roots_of_every_prefix_at_once(oracle: pymerkle.InmemoryTree) -> None:
    """`prefix_roots`, how `audit verify` checks every head in one pass, gives each size's
    root, over every prefix of the largest tree and over trees of every size."""
    assert merkle.prefix_roots(LEAVES, [0, *SIZES]) == [
        merkle.EMPTY_ROOT,
        *(oracle.get_root(n) for n in SIZES),
    ]
    for n in SIZES:
        assert merkle.prefix_roots(LEAVES[:n], [n, n // 2 or n]) == [
            oracle.get_root(n),
            oracle.get_root(n // 2 or n),
        ], _at(n)


def test_the_subtrees_a_store_keeps_for_every_size() -> None:
    """`Frontier.extend`, in batches of every width, keeps exactly the perfect subtrees on the
    levels of `STRIDE`, each the root of its leaves; proofs folded from them and the leaves
    are the proofs themselves."""
    for width in (1, 3, 16, 299):
        frontier, kept = merkle.Frontier(), {}
        for lo in range(0, MAX, width):
            for level, position, h in frontier.extend(LEAVES[lo : lo + width]):
                kept[(level, position)] = h
        for level in range(merkle.STRIDE, MAX.bit_length(), merkle.STRIDE):
            for position in range(MAX >> level):
                leaves = LEAVES[position << level : (position + 1) << level]
                assert kept.pop((level, position)) == merkle.root_of(leaves), (width, level)
        assert kept == {}, f"batches of {width} kept subtrees off the stored levels: {kept}"
    assert merkle.stored_rows((9, 3)) == (8, 6, 2)
    assert merkle.stored_rows((3, 5)) == (0, 40, 8)
    assert merkle.stored_rows((4, 5)) == (4, 5, 1)


def _from_leaves(n: int, m: int) -> bool:
    """Where the proof is also computed from the leaves themselves, as a reader without stored
    subtrees would: every point of the small trees, the edges of the larger ones."""
    return n <= 64 or m in (1, n - 1)


def _nodes(spans: list[merkle.Span], n: int) -> dict[merkle.Node, bytes]:
    """The subtrees `spans` are made of, as a store would give them."""
    wanted = {node for span in spans for node in merkle.span_nodes(span)}
    for level, position in wanted:
        assert (position + 1) << level <= n, f"{_at(n)}: subtree {level, position} is outside"
    return {(lv, p): _mth(p << lv, (p + 1) << lv) for lv, p in wanted}


def test_inclusion_proofs_for_every_size(oracle: pymerkle.InmemoryTree) -> None:
    for n in SIZES:
        root = oracle.get_root(n)
        for m in _points(n):
            at = _at(n, f"leaf {m}")
            # As the stores serve it: from the subtrees its spans are made of.
            spans = merkle.inclusion_spans(n, m)
            proof = merkle.proof_from_nodes(spans, _nodes(spans, n))
            theirs = oracle.prove_inclusion(m + 1, n)  # pymerkle counts from 1
            assert [bytes.fromhex(h) for h in theirs.serialize()["path"][1:]] == proof, at
            if _from_leaves(n, m):
                assert merkle.inclusion_proof(LEAVES[:n], m) == proof, at
            assert merkle.verify_inclusion(m, n, LEAVES[m], proof, root), at
            assert not merkle.verify_inclusion(m, n, _flipped(LEAVES[m]), proof, root), at
            if proof:
                assert not merkle.verify_inclusion(m, n, LEAVES[m], proof[:-1], root), at
                assert not merkle.verify_inclusion(m, n, LEAVES[m], [*proof, root], root), at
            if n > 1:
                assert not merkle.verify_inclusion((m + 1) % n, n, LEAVES[m], proof, root), at


def test_consistency_proofs_for_every_size(oracle: pymerkle.InmemoryTree) -> None:
    for n in SIZES:
        second = oracle.get_root(n)
        for m in (p + 1 for p in _points(n)):
            at = _at(n, f"from size {m}")
            first = oracle.get_root(m)
            spans = merkle.consistency_spans(m, n)
            proof = merkle.proof_from_nodes(spans, _nodes(spans, n))
            assert proof == _subproof(m, 0, n, True), at
            if _from_leaves(n, m):
                assert merkle.consistency_proof(LEAVES[:n], m) == proof, at
            theirs = oracle.prove_consistency(m, n)
            assert pymerkle.verify_consistency(first, second, theirs) is None, at
            assert merkle.verify_consistency(m, n, first, second, proof), at
            if m < n:
                assert not merkle.verify_consistency(m, n, _flipped(first), second, proof), at
                assert not merkle.verify_consistency(m, n, first, _flipped(second), proof), at
                assert not merkle.verify_consistency(m, n, first, second, proof[:-1]), at


def test_proofs_outside_the_tree_are_refused() -> None:
    with pytest.raises(ProofError):
        merkle.inclusion_proof(LEAVES[:5], 5)
    with pytest.raises(ProofError):
        merkle.consistency_proof(LEAVES[:5], 6)
    with pytest.raises(ProofError):
        merkle.consistency_proof(LEAVES[:5], 0)
    assert not merkle.verify_consistency(6, 5, LEAVES[0], LEAVES[0], [LEAVES[0]])
    with pytest.raises(ProofError):
        merkle.Frontier(3, [LEAVES[0]])
