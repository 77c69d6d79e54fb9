"""Shared test helpers: vector loading and a reference RFC 9162 implementation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yiwang.ledger.merkle import InMemoryNodeStore, TreeAppender
from yiwang.ledger.suite import HashSuite

VECTORS = Path(__file__).resolve().parents[4] / "tests" / "ledger_vectors"


def load_vectors(name: str) -> Any:
    path = VECTORS / name
    if not path.exists():
        raise FileNotFoundError(f"test vectors not found at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def _k(n: int) -> int:
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def ref_mth(suite: HashSuite, leaves: Sequence[bytes]) -> bytes:
    """MTH straight from RFC 9162 §2.1.1 (recursive, over leaf hashes)."""
    n = len(leaves)
    if n == 0:
        return suite.empty_root()
    if n == 1:
        return leaves[0]
    k = _k(n)
    return suite.node_hash(ref_mth(suite, leaves[:k]), ref_mth(suite, leaves[k:]))


def ref_path(suite: HashSuite, m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) straight from RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(suite, m, leaves[:k]), ref_mth(suite, leaves[k:])]
    return [*ref_path(suite, m - k, leaves[k:]), ref_mth(suite, leaves[:k])]


def ref_subproof(suite: HashSuite, m: int, leaves: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [ref_mth(suite, leaves)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(suite, m, leaves[:k], b), ref_mth(suite, leaves[k:])]
    return [*ref_subproof(suite, m - k, leaves[k:], False), ref_mth(suite, leaves[:k])]


def ref_proof(suite: HashSuite, m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) from RFC 9162 §2.1.4.1 (0 < m < n)."""
    return ref_subproof(suite, m, leaves, True)


def build_store(suite: HashSuite, leaf_hashes: Sequence[bytes]) -> InMemoryNodeStore:
    store = InMemoryNodeStore()
    appender = TreeAppender(suite)
    store.put_nodes(appender.append(leaf_hashes).new_nodes)
    return store
