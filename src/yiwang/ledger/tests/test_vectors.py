"""Public RFC 6962/9162 vectors (transparency-dev/merkle, the RFC example tree)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from yiwang.ledger.merkle import (
    TreeAppender,
    VerificationError,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from yiwang.ledger.suite import SHA256

from .helpers import build_store, load_vectors

V = load_vectors("transparency_dev_merkle.json")
LEAVES = [SHA256.leaf_hash(bytes.fromhex(x)) for x in V["leaves_hex"]]
ROOTS = [bytes.fromhex(x) for x in V["roots_hex"]]
STORE = build_store(SHA256, LEAVES)
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
EMPTY = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def _hx(xs: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in xs]


def _flip(b: bytes, i: int, mask: int = 1) -> bytes:
    return b[:i] + bytes([b[i] ^ mask]) + b[i + 1 :]


def _fails(fn: Any, *args: Any) -> bool:
    try:
        fn(*args)
    except VerificationError:
        return True
    return False


def test_empty_root_and_roots_for_every_size() -> None:
    assert SHA256.empty_root() == EMPTY
    assert root_from_leaves(SHA256, []) == EMPTY
    appender = TreeAppender(SHA256)
    for size in range(1, 9):
        assert root_from_leaves(SHA256, LEAVES[:size]) == ROOTS[size - 1]
        assert appender.append([LEAVES[size - 1]]).root == ROOTS[size - 1]
        assert root_at(SHA256, STORE, size) == ROOTS[size - 1]


@pytest.mark.parametrize("vec", V["inclusion_proofs"], ids=lambda v: f"{v['leaf_index']}@{v['tree_size']}")
def test_inclusion_vectors(vec: dict[str, Any]) -> None:
    index, size, want = vec["leaf_index"], vec["tree_size"], _hx(vec["proof_hex"])
    root, leaf = ROOTS[size - 1], LEAVES[index]
    # Generation from the node store (a bigger tree of 8 leaves).
    assert inclusion_proof(SHA256, STORE, index, size) == want
    # Verification.
    verify_inclusion(SHA256, index, size, leaf, want, root)
    # Port of corruptInclusionProof from verify_test.go.
    probes = [
        (index - 1, size, leaf, want, root),
        (index + 1, size, leaf, want, root),
        (index ^ 2, size, leaf, want, root),
        (index, size * 2, leaf, want, root),
        (index, size // 2, leaf, want, root),
        (index, size, b"WrongLeaf", want, root),
        (index, size, leaf, want, EMPTY),
        (index, size, leaf, want, SOME_HASH),
        (index, size, leaf, [*want, b""], root),
        (index, size, leaf, [*want, root], root),
        (index, size, leaf, [b"", *want], root),
        (index, size, leaf, [root, *want], root),
    ]
    if want:
        probes.append((index, size, leaf, want[:-1], root))
    if len(want) > 1:
        probes.append((index, size, leaf, [want[0], SOME_HASH, *want[1:]], root))
    # Every single-byte corruption of every proof element, the root and the leaf.
    for i, p in enumerate(want):
        for j in range(len(p)):
            bad = list(want)
            bad[i] = _flip(p, j)
            probes.append((index, size, leaf, bad, root))
    for j in range(32):
        probes.append((index, size, _flip(leaf, j), want, root))
        probes.append((index, size, leaf, want, _flip(root, j)))
    for probe in probes:
        assert _fails(verify_inclusion, SHA256, *probe), probe


@pytest.mark.parametrize("vec", V["consistency_proofs"], ids=lambda v: f"{v['size1']}-{v['size2']}")
def test_consistency_vectors(vec: dict[str, Any]) -> None:
    s1, s2, want = vec["size1"], vec["size2"], _hx(vec["proof_hex"])
    r1, r2 = ROOTS[s1 - 1], ROOTS[s2 - 1]
    assert consistency_proof(SHA256, STORE, s1, s2) == want
    verify_consistency(SHA256, s1, s2, want, r1, r2)
    if not want:
        return
    probes = [
        (s1 - 1, s2, want, r1, r2),
        (s1 + 1, s2, want, r1, r2),
        (s1 ^ 2, s2, want, r1, r2),
        (s1, s2 * 2, want, r1, r2),
        (s1, s2 // 2, want, r1, r2),
        (s1, s2, want, b"WrongRoot", r2),
        (s1, s2, want, r1, b"WrongRoot"),
        (s1, s2, want, r2, r1),
        (s1, s2, [], r1, r2),
        (s1, s2, [*want, b""], r1, r2),
        (s1, s2, [*want, r1], r1, r2),
        (s1, s2, [*want, r2], r1, r2),
        (s1, s2, [b"", *want], r1, r2),
        (s1, s2, [r1, *want], r1, r2),
        (s1, s2, [r2, *want], r1, r2),
        (s1, s2, [want[0], *want], r1, r2),
        (s1, s2, want[:-1], r1, r2),
    ]
    for i, p in enumerate(want):
        for j in range(len(p)):
            bad = list(want)
            bad[i] = _flip(p, j, 16)
            probes.append((s1, s2, bad, r1, r2))
    for j in range(32):
        probes.append((s1, s2, want, _flip(r1, j), r2))
        probes.append((s1, s2, want, r1, _flip(r2, j)))
    for probe in probes:
        assert _fails(verify_consistency, SHA256, *probe), probe


def test_consistency_edge_cases_from_go() -> None:
    r1, r2 = SOME_HASH, _flip(SOME_HASH, 0)
    ok: list[tuple[int, int, bytes, bytes, list[bytes]]] = [(0, 0, r1, r1, []), (1, 1, r2, r2, [])]
    bad: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        # proof/verify.go: "consistency proof from empty tree is meaningless".
        (0, 1, r1, r2, []),
        (0, 1, EMPTY, r2, []),
        (0, 0, r1, r2, []),
        (1, 1, r1, r2, []),
        (1, 0, r1, r2, []),
        (2, 1, r1, r2, []),
        (1, 2, r1, r2, []),
        (0, 0, EMPTY, r2, []),
        (1, 1, EMPTY, r2, []),
        (0, 0, EMPTY, EMPTY, [EMPTY]),
        (0, 1, EMPTY, EMPTY, [EMPTY]),
        (1, 1, EMPTY, EMPTY, [EMPTY]),
    ]
    for s1, s2, a, b, proof in ok:
        verify_consistency(SHA256, s1, s2, proof, a, b)
    for s1, s2, a, b, proof in bad:
        assert _fails(verify_consistency, SHA256, s1, s2, proof, a, b)


def test_inclusion_edge_cases_from_go() -> None:
    h = SHA256.leaf_hash(b"data")
    verify_inclusion(SHA256, 0, 1, h, [], h)
    for leaf, root in [(h, b""), (b"", h), (b"", b"")]:
        assert _fails(verify_inclusion, SHA256, 0, 1, leaf, [], root)
    for index, size in [(0, 0), (0, 1), (1, 0), (2, 1)]:
        assert _fails(verify_inclusion, SHA256, index, size, SOME_HASH, [], b"")
        assert _fails(verify_inclusion, SHA256, index, size, b"", [], EMPTY)
        assert _fails(verify_inclusion, SHA256, index, size, SOME_HASH, [], EMPTY)


def _b64s(xs: list[str] | None) -> list[bytes]:
    return [base64.b64decode(x) for x in xs or []]


@pytest.mark.parametrize("name", sorted(V["testdata_json"]))
def test_testdata_json_probes(name: str) -> None:
    t = V["testdata_json"][name]
    if name.startswith("inclusion/"):
        args = (
            t["leafIdx"],
            t["treeSize"],
            base64.b64decode(t["leafHash"]),
            _b64s(t["proof"]),
            base64.b64decode(t["root"]),
        )
        assert _fails(verify_inclusion, SHA256, *args) == t["wantErr"]
        if not t["wantErr"]:
            assert inclusion_proof(SHA256, STORE, t["leafIdx"], t["treeSize"]) == _b64s(t["proof"])
    else:
        args2 = (t["size1"], t["size2"], _b64s(t["proof"]), base64.b64decode(t["root1"]), base64.b64decode(t["root2"]))
        assert _fails(verify_consistency, SHA256, *args2) == t["wantErr"]
        if not t["wantErr"]:
            assert consistency_proof(SHA256, STORE, t["size1"], t["size2"]) == _b64s(t["proof"])


def _go_nodes(vec: dict[str, Any]) -> list[list[tuple[int, int]]]:
    """Convert proof_test.go's Nodes{IDs, begin, end} to our plan (left-to-right groups)."""
    ids = [tuple(x) for x in vec["ids"]]
    if vec["rehash"] is None:
        return [[i] for i in ids]
    b, e = vec["rehash"]
    return [[i] for i in ids[:b]] + [list(reversed(ids[b:e]))] + [[i] for i in ids[e:]]


@pytest.mark.parametrize("vec", V["node_ids"]["inclusion"], ids=lambda v: f"{v['index']}@{v['size']}")
def test_inclusion_reads_the_same_nodes_as_transparency_dev(vec: dict[str, Any]) -> None:
    plan = [list(e) for e in inclusion_plan(vec["index"], vec["size"])]
    assert plan == _go_nodes(vec)


@pytest.mark.parametrize("vec", V["node_ids"]["consistency"], ids=lambda v: f"{v['size1']}-{v['size2']}")
def test_consistency_reads_the_same_nodes_as_transparency_dev(vec: dict[str, Any]) -> None:
    plan = [list(e) for e in consistency_plan(vec["size1"], vec["size2"])]
    assert plan == _go_nodes(vec)


def test_plan_errors_from_transparency_dev() -> None:
    for size, index in V["node_ids"]["inclusion_errors"]:
        with pytest.raises(ValueError):
            inclusion_plan(index, size)
    for s1, s2 in V["node_ids"]["consistency_errors"]:
        with pytest.raises(ValueError):
            consistency_plan(s1, s2)


# --- RFC 6962 §2.1.3 / RFC 9162 §2.1.5 example tree --------------------------

RFC = load_vectors("rfc9162_example.json")


def test_rfc_example_tree() -> None:
    leaves = [SHA256.leaf_hash(f"d{i}".encode()) for i in range(RFC["tree_size"])]
    store = build_store(SHA256, leaves)
    named = {n: root_from_leaves(SHA256, leaves[b:e]) for n, (b, e) in RFC["nodes"].items()}
    size = RFC["tree_size"]
    root = root_from_leaves(SHA256, leaves)
    for vec in RFC["inclusion"]:
        want = [named[n] for n in vec["path"]]
        assert inclusion_proof(SHA256, store, vec["leaf_index"], size) == want
        verify_inclusion(SHA256, vec["leaf_index"], size, leaves[vec["leaf_index"]], want, root)
    for vec in RFC["consistency"]:
        want = [named[n] for n in vec["proof"]]
        assert consistency_proof(SHA256, store, vec["size1"], size) == want
        old_root = root_from_leaves(SHA256, leaves[: vec["size1"]])
        verify_consistency(SHA256, vec["size1"], size, want, old_root, root)
