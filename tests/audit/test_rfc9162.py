"""RFC 9162 §2.1 conformance: roots, inclusion and consistency proofs for every tree size from
1 to 300 agree with pymerkle, an implementation of the same RFC used only here, and with the
RFC's own recursive definitions written out below (pymerkle lays consistency proofs out in a
form of its own, so their hashes are compared with the RFC's `PROOF`)."""

from __future__ import annotations

import pymerkle
import pytest

from credo.domain import merkle
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


def _mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]), RFC 9162 §2.1.1, as written there."""
    n = len(leaves)
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 9162 §2.1.4.1, as written there."""
    n = len(leaves)
    if m == n:
        return [] if whole else [_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


def _flipped(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_leaf_and_node_hashes_are_prefixed() -> None:
    import hashlib

    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_root_and_frontier(oracle: pymerkle.InmemoryTree, n: int) -> None:
    expected = oracle.get_root(n)
    assert _mth(LEAVES[:n]) == expected
    assert merkle.root_of(LEAVES[:n]) == expected
    frontier = merkle.Frontier()
    for leaf in LEAVES[:n]:
        frontier.append(leaf)
    assert frontier.root() == expected
    assert merkle.Frontier(n, frontier.hashes).root() == expected


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_inclusion_proofs(oracle: pymerkle.InmemoryTree, n: int) -> None:
    root = oracle.get_root(n)
    for m in _points(n):
        proof = merkle.inclusion_proof(LEAVES[:n], m)
        theirs = oracle.prove_inclusion(m + 1, n)  # pymerkle counts from 1
        assert [bytes.fromhex(h) for h in theirs.serialize()["path"][1:]] == proof
        assert merkle.verify_inclusion(m, n, LEAVES[m], proof, root)
        assert not merkle.verify_inclusion(m, n, _flipped(LEAVES[m]), proof, root)
        if proof:
            assert not merkle.verify_inclusion(m, n, LEAVES[m], proof[:-1], root)
            assert not merkle.verify_inclusion(m, n, LEAVES[m], [*proof, root], root)
        if n > 1:
            assert not merkle.verify_inclusion((m + 1) % n, n, LEAVES[m], proof, root)


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_consistency_proofs(oracle: pymerkle.InmemoryTree, n: int) -> None:
    second = oracle.get_root(n)
    for m in (p + 1 for p in _points(n)):
        first = oracle.get_root(m)
        proof = merkle.consistency_proof(LEAVES[:n], m)
        assert proof == _subproof(m, LEAVES[:n], True)
        assert pymerkle.verify_consistency(first, second, oracle.prove_consistency(m, n)) is None
        assert merkle.verify_consistency(m, n, first, second, proof)
        if m < n:
            assert not merkle.verify_consistency(m, n, _flipped(first), second, proof)
            assert not merkle.verify_consistency(m, n, first, _flipped(second), proof)
            assert not merkle.verify_consistency(m, n, first, second, proof[:-1])


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
