"""Property tests: proofs served from the node store match the RFC and verify."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.ledger.merkle import (
    InMemoryNodeStore,
    MissingNodeError,
    TreeAppender,
    VerificationError,
    consistency_proof,
    inclusion_proof,
    range_nodes,
    root_at,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from yiwang.ledger.suite import SHA256, SM3, HashSuite

from .helpers import build_store, ref_mth, ref_path, ref_proof

SUITES = [SHA256, SM3]


def _leaves(suite: HashSuite, n: int, salt: bytes = b"") -> list[bytes]:
    return [suite.leaf_hash(salt + i.to_bytes(4, "big")) for i in range(n)]


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.name)
def test_exhaustive_small_trees(suite: HashSuite) -> None:
    """Every proof in every tree up to 33 leaves equals the RFC's recursive definition."""
    leaves = _leaves(suite, 33)
    store = build_store(suite, leaves)
    for n in range(1, 34):
        root = ref_mth(suite, leaves[:n])
        assert root_from_leaves(suite, leaves[:n]) == root
        assert root_at(suite, store, n) == root
        for i in range(n):
            proof = inclusion_proof(suite, store, i, n)
            assert proof == ref_path(suite, i, leaves[:n])
            verify_inclusion(suite, i, n, leaves[i], proof, root)
        for m in range(1, n):
            proof = consistency_proof(suite, store, m, n)
            assert proof == ref_proof(suite, m, leaves[:n])
            verify_consistency(suite, m, n, proof, ref_mth(suite, leaves[:m]), root)
        assert consistency_proof(suite, store, n, n) == []
        assert consistency_proof(suite, store, 0, n) == []


@st.composite
def _tree(draw: st.DrawFn) -> tuple[list[bytes], list[int]]:
    leaves = draw(st.lists(st.binary(max_size=40), min_size=1, max_size=300))
    cuts = draw(st.lists(st.integers(0, len(leaves)), max_size=8))
    return leaves, sorted(set(cuts))


@settings(max_examples=60, deadline=None)
@given(tree=_tree(), data=st.data(), suite=st.sampled_from(SUITES))
def test_random_trees_with_batched_appends(
    tree: tuple[list[bytes], list[int]], data: st.DataObject, suite: HashSuite
) -> None:
    raw, cuts = tree
    leaves = [suite.leaf_hash(d) for d in raw]
    n = len(leaves)
    store = InMemoryNodeStore()
    appender = TreeAppender(suite)
    start = 0
    for cut in [*cuts, n]:
        # Each batch resumes from the stored frontier only, like the integrator.
        appender = TreeAppender.from_reader(suite, store, start)
        result = appender.append(leaves[start:cut])
        store.put_nodes(result.new_nodes)
        assert result.size == cut
        assert result.root == root_from_leaves(suite, leaves[:cut])
        start = cut
    root = root_from_leaves(suite, leaves)
    assert root == ref_mth(suite, leaves)
    assert appender.root() == root
    # Only complete perfect subtrees are stored, and all of them.
    expected = {(lvl, idx) for lvl in range(n.bit_length()) for idx in range(n >> lvl)}
    assert set(store.nodes) == expected

    for _ in range(5):
        size = data.draw(st.integers(1, n), label="size")
        i = data.draw(st.integers(0, size - 1), label="index")
        store.reads = 0
        proof = inclusion_proof(suite, store, i, size)
        assert store.reads <= 2 * max(1, math.ceil(math.log2(size))) + 1
        assert proof == ref_path(suite, i, leaves[:size])
        verify_inclusion(suite, i, size, leaves[i], proof, ref_mth(suite, leaves[:size]))

        m = data.draw(st.integers(0, size), label="size1")
        store.reads = 0
        cproof = consistency_proof(suite, store, m, size)
        assert store.reads <= 2 * max(1, math.ceil(math.log2(size))) + 2
        r1, r2 = ref_mth(suite, leaves[:m]), ref_mth(suite, leaves[:size])
        if 0 < m < size:
            assert cproof == ref_proof(suite, m, leaves[:size])
        if m == 0 < size:  # meaningless, refused (see test_consistency_from_empty_tree_is_always_rejected)
            with pytest.raises(VerificationError):
                verify_consistency(suite, m, size, cproof, r1, r2)
        else:
            verify_consistency(suite, m, size, cproof, r1, r2)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 200), data=st.data())
def test_bit_flips_are_detected(n: int, data: st.DataObject) -> None:
    leaves = _leaves(SHA256, n, b"flip")
    store = build_store(SHA256, leaves)
    root = root_from_leaves(SHA256, leaves)
    i = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(SHA256, store, i, n)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 8 * SHA256.digest_size - 1))
        bad = list(proof)
        bad[k] = (int.from_bytes(bad[k], "big") ^ (1 << bit)).to_bytes(32, "big")
        with pytest.raises(VerificationError):
            verify_inclusion(SHA256, i, n, leaves[i], bad, root)
    m = data.draw(st.integers(1, n - 1))
    cproof = consistency_proof(SHA256, store, m, n)
    k = data.draw(st.integers(0, len(cproof) - 1))
    bad = list(cproof)
    bad[k] = bytes([bad[k][0] ^ 0x80]) + bad[k][1:]
    with pytest.raises(VerificationError):
        verify_consistency(SHA256, m, n, bad, root_from_leaves(SHA256, leaves[:m]), root)


def test_appender_state_is_the_frontier() -> None:
    leaves = _leaves(SHA256, 13)
    store = build_store(SHA256, leaves)
    assert TreeAppender.frontier_keys(13) == [(3, 0), (2, 2), (0, 12)]
    assert TreeAppender.frontier_keys(0) == []
    appender = TreeAppender.from_reader(SHA256, store, 13)
    assert appender.frontier == [store.nodes[k] for k in [(3, 0), (2, 2), (0, 12)]]
    result = appender.append(_leaves(SHA256, 3, b"more"))
    # 13 -> 16: leaves 13..15, then (1,6),(1,7)... exactly the newly completed nodes.
    assert [k for k, _ in result.new_nodes] == [(0, 13), (1, 6), (0, 14), (0, 15), (1, 7), (2, 3), (3, 1), (4, 0)]
    assert result.size == 16 and appender.frontier == [result.new_nodes[-1][1]] == [result.root]


def test_appender_and_store_errors() -> None:
    with pytest.raises(ValueError, match="frontier"):
        TreeAppender(SHA256, 5, [b"\x00" * 32])
    with pytest.raises(ValueError, match="32 bytes"):
        TreeAppender(SHA256).append([b"short"])
    store = build_store(SHA256, _leaves(SHA256, 4))
    with pytest.raises(ValueError, match="different hash"):
        store.put_nodes([((0, 0), b"\x01" * 32)])
    del store.nodes[(1, 1)]
    with pytest.raises(MissingNodeError, match=r"\(1, 1\)"):
        inclusion_proof(SHA256, store, 0, 4)
    with pytest.raises(MissingNodeError):
        TreeAppender.from_reader(SHA256, store, 6)
    with pytest.raises(ValueError):
        inclusion_proof(SHA256, store, 4, 4)
    with pytest.raises(ValueError):
        range_nodes(1, 3)  # not a subtree of the RFC shape


def test_large_tree_sizes_touch_few_nodes() -> None:
    """Proof plans for a 2**40-leaf tree stay logarithmic (no materialisation)."""
    from yiwang.ledger.merkle import consistency_plan, inclusion_plan, plan_keys

    n = (1 << 40) + 12345
    assert len(plan_keys(inclusion_plan(n - 1, n))) <= 2 * 41
    assert len(plan_keys(consistency_plan(n // 3, n))) <= 2 * 41 + 1


def test_verification_error_messages_are_precise() -> None:
    leaves = _leaves(SHA256, 6)
    store = build_store(SHA256, leaves)
    root = root_from_leaves(SHA256, leaves)
    proof = inclusion_proof(SHA256, store, 2, 6)
    with pytest.raises(VerificationError, match="must have 3 hashes, got 2"):
        verify_inclusion(SHA256, 2, 6, leaves[2], proof[:-1], root)
    with pytest.raises(VerificationError, match="does not lead to the root"):
        verify_inclusion(SHA256, 2, 6, leaves[3], proof, root)
    with pytest.raises(VerificationError, match="not within tree size"):
        verify_inclusion(SHA256, 6, 6, leaves[2], proof, root)
    with pytest.raises(VerificationError, match=r"proof\[1\] has 3 bytes"):
        verify_inclusion(SHA256, 2, 6, leaves[2], [proof[0], b"abc", proof[2]], root)
    cproof = consistency_proof(SHA256, store, 3, 6)
    r3 = root_from_leaves(SHA256, leaves[:3])
    with pytest.raises(VerificationError, match="root of size 3"):
        verify_consistency(SHA256, 3, 6, cproof, leaves[0], root)
    with pytest.raises(VerificationError, match="root of size 6"):
        verify_consistency(SHA256, 3, 6, cproof, r3, leaves[0])


@settings(max_examples=200, deadline=None)
@given(
    size2=st.integers(1, 2**40),
    root1=st.binary(min_size=32, max_size=32),
    root2=st.binary(min_size=32, max_size=32),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=4),
)
def test_consistency_from_empty_tree_is_always_rejected(
    size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    """Whatever old root and proof a log hands out, size 0 → size2 never verifies."""
    with pytest.raises(VerificationError, match="tree size 0 is meaningless"):
        verify_consistency(SHA256, 0, size2, proof, root1, root2)
