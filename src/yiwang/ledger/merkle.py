"""RFC 9162 Merkle tree: roots, proofs from a node store, and verification.

Node layout (shared with the Django storage layer):

* A node key is ``(level, index)``.  It names the root of the *perfect*
  subtree covering leaves ``[index * 2**level, (index + 1) * 2**level)``.
  Level 0 holds the leaf hashes themselves (``HASH(0x00 || leaf)``).
* Only complete perfect subtrees are ever stored.  Such a node never changes
  once written, so the store is append-only: tree size ``n`` contains node
  ``(level, index)`` iff ``(index + 1) << level <= n``.
* The right edge of a tree whose size is not a power of two is never stored.
  Proof elements that cover such a ragged range are "ephemeral": they are
  recomputed by folding (right to left) the few stored perfect subtrees that
  the range decomposes into, exactly as transparency-dev/merkle's ``proof``
  package "rehashes" them.

Why: the integrator must be able to append a batch knowing only the O(log n)
right-edge "frontier" (:class:`TreeAppender`), and proof serving must touch
O(log n) rows per request instead of loading the whole tree.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .suite import HashSuite

__all__ = [
    "AppendResult",
    "InMemoryNodeStore",
    "MissingNodeError",
    "NodeKey",
    "NodeReader",
    "TreeAppender",
    "VerificationError",
    "assemble_proof",
    "consistency_plan",
    "consistency_proof",
    "inclusion_plan",
    "inclusion_proof",
    "plan_keys",
    "range_nodes",
    "root_at",
    "root_from_leaves",
    "verify_consistency",
    "verify_inclusion",
]

NodeKey = tuple[int, int]
"""``(level, index)`` of a stored perfect subtree root."""

ProofPlan = list[tuple[NodeKey, ...]]
"""One entry per proof hash; an entry with several keys is an ephemeral node
equal to the right-to-left fold of those (left-to-right ordered) subtrees."""


class NodeReader(Protocol):
    """Read access to stored perfect-subtree hashes.

    Implementations must return every requested key (raising is fine for a
    missing key; :func:`assemble_proof` also reports absent keys clearly).
    """

    def get_nodes(self, keys: list[NodeKey]) -> Mapping[NodeKey, bytes]: ...


class MissingNodeError(LookupError):
    """The node store lacks a node the requested proof needs."""


class VerificationError(ValueError):
    """A proof failed to verify.  The message says which check failed."""


@dataclass
class InMemoryNodeStore:
    """A dict-backed :class:`NodeReader` for tests and offline tooling.

    Writes are write-once: re-putting a key with a different hash raises,
    mirroring the append-only invariant the database table should enforce.
    """

    nodes: dict[NodeKey, bytes] = field(default_factory=dict)
    reads: int = 0

    def get_nodes(self, keys: list[NodeKey]) -> dict[NodeKey, bytes]:
        self.reads += len(keys)
        return {k: self.nodes[k] for k in keys if k in self.nodes}

    def put_nodes(self, items: Iterable[tuple[NodeKey, bytes]]) -> None:
        for key, value in items:
            old = self.nodes.get(key)
            if old is not None and old != value:
                raise ValueError(f"node {key} already stored with a different hash")
            self.nodes[key] = value


# --------------------------------------------------------------------------
# Tree shape helpers
# --------------------------------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    """RFC 9162 split point k: the largest power of two strictly less than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(begin: int, end: int) -> list[NodeKey]:
    """Perfect subtrees, left to right, whose fold is MTH(D[begin:end]).

    Valid for the ranges that occur as subtrees of the RFC 9162 tree shape:
    ``begin`` is a multiple of the largest power of two <= ``end - begin``
    (so the greedy largest-block-first decomposition matches the RFC split).
    """
    size = end - begin
    if size <= 0:
        raise ValueError(f"empty range [{begin}, {end})")
    nodes: list[NodeKey] = []
    pos = begin
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if pos % (1 << level):
                raise ValueError(f"range [{begin}, {end}) is not a subtree of the RFC tree shape")
            nodes.append((level, pos >> level))
            pos += 1 << level
    return nodes


def _fold(suite: HashSuite, hashes: Sequence[bytes]) -> bytes:
    """Right-to-left fold: MTH of a range from its perfect-subtree roots."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = suite.node_hash(h, acc)
    return acc


def root_from_leaves(suite: HashSuite, leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from the leaf *hashes* (not leaf data), for any n >= 0.

    Pairs level by level and promotes a lone last node unchanged, which yields
    the same tree as the RFC's "largest power of two less than n" recursion.
    """
    if not leaf_hashes:
        return suite.empty_root()
    level = list(leaf_hashes)
    while len(level) > 1:
        nxt = [suite.node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


# --------------------------------------------------------------------------
# Proof plans (which nodes a proof needs) and assembly
# --------------------------------------------------------------------------


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """Nodes forming PATH(index, D[size]) (RFC 9162 §2.1.3.1), leaf to root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} out of range for tree size {size}")
    siblings: list[tuple[int, int]] = []  # top-down ranges
    begin, end, m = 0, size, index
    while end - begin > 1:
        k = _largest_power_of_two_below(end - begin)
        if m < k:
            siblings.append((begin + k, end))
            end = begin + k
        else:
            siblings.append((begin, begin + k))
            begin, m = begin + k, m - k
    return [tuple(range_nodes(b, e)) for b, e in reversed(siblings)]


def consistency_plan(size1: int, size2: int) -> ProofPlan:
    """Nodes forming PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1).

    Empty when ``size1 == 0`` or ``size1 == size2`` (nothing to prove).
    """
    if not 0 <= size1 <= size2:
        raise ValueError(f"need 0 <= size1 <= size2, got size1={size1}, size2={size2}")
    if size1 == 0 or size1 == size2:
        return []
    elements: list[tuple[int, int]] = []  # top-down ranges
    begin, end, m, whole = 0, size2, size1, True
    while m != end - begin:
        k = _largest_power_of_two_below(end - begin)
        if m <= k:
            elements.append((begin + k, end))
            end = begin + k
        else:
            elements.append((begin, begin + k))
            begin, m, whole = begin + k, m - k, False
    if not whole:
        elements.append((begin, end))  # SUBPROOF(m, D[m], false) = [MTH(D[m])]
    return [tuple(range_nodes(b, e)) for b, e in reversed(elements)]


def plan_keys(plan: ProofPlan) -> list[NodeKey]:
    """All distinct node keys a plan needs, for one batched store read."""
    return list(dict.fromkeys(k for entry in plan for k in entry))


def assemble_proof(suite: HashSuite, plan: ProofPlan, nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
    """Turn a plan plus fetched node hashes into the proof hash list."""
    missing = [k for k in plan_keys(plan) if k not in nodes]
    if missing:
        raise MissingNodeError(f"node store is missing nodes {missing}")
    return [_fold(suite, [nodes[k] for k in entry]) for entry in plan]


def _fetch(reader: NodeReader, plan: ProofPlan) -> Mapping[NodeKey, bytes]:
    keys = plan_keys(plan)
    return reader.get_nodes(keys) if keys else {}


def inclusion_proof(suite: HashSuite, reader: NodeReader, index: int, size: int) -> list[bytes]:
    """Inclusion proof for leaf ``index`` in the tree of ``size`` leaves."""
    plan = inclusion_plan(index, size)
    return assemble_proof(suite, plan, _fetch(reader, plan))


def consistency_proof(suite: HashSuite, reader: NodeReader, size1: int, size2: int) -> list[bytes]:
    """Consistency proof from tree size ``size1`` to ``size2``."""
    plan = consistency_plan(size1, size2)
    return assemble_proof(suite, plan, _fetch(reader, plan))


def root_at(suite: HashSuite, reader: NodeReader, size: int) -> bytes:
    """Root hash of the tree at ``size`` (any past size), from O(log n) nodes."""
    if size == 0:
        return suite.empty_root()
    plan: ProofPlan = [tuple(range_nodes(0, size))]
    return assemble_proof(suite, plan, _fetch(reader, plan))[0]


# --------------------------------------------------------------------------
# Appending (compact range over [0, n))
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AppendResult:
    """Outcome of :meth:`TreeAppender.append`."""

    new_nodes: list[tuple[NodeKey, bytes]]
    """Every newly completed perfect subtree (leaves included), to be stored."""
    size: int
    root: bytes


class TreeAppender:
    """Appends leaves knowing only the right-edge frontier of the tree.

    The frontier of a tree of size n is the list of perfect subtrees that
    ``[0, n)`` decomposes into, left to right: ``frontier_keys(n)``, at most
    ~log2(n) nodes.  That is the whole state an integrator needs, like a
    transparency-dev ``compact.Range`` starting at 0.
    """

    def __init__(self, suite: HashSuite, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        if size < 0:
            raise ValueError("tree size must be >= 0")
        if len(frontier) != bin(size).count("1"):
            raise ValueError(f"a tree of size {size} has {bin(size).count('1')} frontier nodes, got {len(frontier)}")
        self.suite = suite
        self.size = size
        self._frontier: list[bytes] = list(frontier)

    @staticmethod
    def frontier_keys(size: int) -> list[NodeKey]:
        """Keys of the stored nodes that make up the frontier at ``size``."""
        return range_nodes(0, size) if size else []

    @classmethod
    def from_reader(cls, suite: HashSuite, reader: NodeReader, size: int) -> TreeAppender:
        keys = cls.frontier_keys(size)
        nodes = reader.get_nodes(keys) if keys else {}
        missing = [k for k in keys if k not in nodes]
        if missing:
            raise MissingNodeError(f"node store is missing frontier nodes {missing}")
        return cls(suite, size, [nodes[k] for k in keys])

    @property
    def frontier(self) -> list[bytes]:
        return list(self._frontier)

    def root(self) -> bytes:
        if not self._frontier:
            return self.suite.empty_root()
        return _fold(self.suite, self._frontier)

    def append(self, leaf_hashes: Iterable[bytes]) -> AppendResult:
        """Append leaf hashes; return the nodes to persist and the new root."""
        new_nodes: list[tuple[NodeKey, bytes]] = []
        for leaf in leaf_hashes:
            if len(leaf) != self.suite.digest_size:
                raise ValueError(f"leaf hash must be {self.suite.digest_size} bytes, got {len(leaf)}")
            index, level, h = self.size, 0, leaf
            new_nodes.append(((0, index), h))
            # Merge while the new node is a right child (low bit set).
            while index & 1:
                h = self.suite.node_hash(self._frontier.pop(), h)
                index >>= 1
                level += 1
                new_nodes.append(((level, index), h))
            self._frontier.append(h)
            self.size += 1
        return AppendResult(new_nodes, self.size, self.root())


# --------------------------------------------------------------------------
# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2)
# --------------------------------------------------------------------------


def _check_len(suite: HashSuite, what: str, value: bytes) -> None:
    if len(value) != suite.digest_size:
        raise VerificationError(f"{what} has {len(value)} bytes, expected a {suite.digest_size}-byte {suite.name} hash")


def _mismatch(what: str, got: bytes, want: bytes) -> VerificationError:
    return VerificationError(f"{what}: computed {got.hex()}, expected {want.hex()}")


def _inclusion_len(index: int, size: int) -> int:
    inner = (index ^ (size - 1)).bit_length()
    return inner + bin(index >> inner).count("1")


def verify_inclusion(
    suite: HashSuite,
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    root: bytes,
) -> None:
    """Raise :class:`VerificationError` unless ``proof`` shows the leaf is in ``root``."""
    if not 0 <= leaf_index < tree_size:
        raise VerificationError(f"leaf index {leaf_index} is not within tree size {tree_size}")
    _check_len(suite, "leaf hash", leaf_hash)
    _check_len(suite, "root hash", root)
    for i, p in enumerate(proof):
        _check_len(suite, f"proof[{i}]", p)
    want = _inclusion_len(leaf_index, tree_size)
    if len(proof) != want:
        raise VerificationError(
            f"inclusion proof for leaf {leaf_index} in tree size {tree_size} must have {want} hashes, got {len(proof)}"
        )
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise VerificationError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = suite.node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = suite.node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion proof is shorter than the path to the root")
    if not hmac.compare_digest(r, root):
        raise _mismatch(
            f"inclusion proof for leaf {leaf_index} does not lead to the root of tree size {tree_size}",
            r,
            root,
        )


def verify_consistency(
    suite: HashSuite,
    size1: int,
    size2: int,
    proof: Sequence[bytes],
    root1: bytes,
    root2: bytes,
) -> None:
    """Raise :class:`VerificationError` unless tree ``root2`` extends ``root1``.

    Edge cases follow transparency-dev/merkle (proof/verify.go): equal sizes
    need an empty proof and equal roots; a proof from the empty tree
    (0 == size1 < size2) is meaningless and rejected -- accepting it would let
    any "old root" pass, so a client whose last checkpoint is the empty tree
    must start trusting from a checkpoint it verified by signature instead.
    """
    if size1 < 0 or size2 < size1:
        raise VerificationError(f"size2 ({size2}) must be >= size1 ({size1}) >= 0")
    _check_len(suite, "first root hash", root1)
    _check_len(suite, "second root hash", root2)
    for i, p in enumerate(proof):
        _check_len(suite, f"proof[{i}]", p)
    if size1 == size2:
        if proof:
            raise VerificationError("consistency proof between equal sizes must be empty")
        if not hmac.compare_digest(root1, root2):
            raise _mismatch(f"roots differ for the same tree size {size1}", root2, root1)
        return
    if size1 == 0:
        raise VerificationError(
            "a consistency proof from tree size 0 is meaningless (it would accept any old root); "
            "verify the new checkpoint's signature instead"
        )
    if not proof:
        raise VerificationError("consistency proof is empty")
    # Expected length, for a precise error before hashing.
    shift = (size1 & -size1).bit_length() - 1
    inner = (((size1 - 1) ^ (size2 - 1)).bit_length()) - shift
    border = bin((size1 - 1) >> (inner + shift)).count("1")
    start = 0 if size1 == 1 << shift else 1
    if len(proof) != start + inner + border:
        raise VerificationError(
            f"consistency proof from size {size1} to {size2} must have "
            f"{start + inner + border} hashes, got {len(proof)}"
        )
    path = list(proof)
    if size1 == 1 << shift:  # first is an exact power of two
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = suite.node_hash(c, fr)
            sr = suite.node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = suite.node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof is shorter than needed")
    if not hmac.compare_digest(fr, root1):
        raise _mismatch(f"consistency proof does not reproduce the root of size {size1}", fr, root1)
    if not hmac.compare_digest(sr, root2):
        raise _mismatch(f"consistency proof does not reproduce the root of size {size2}", sr, root2)
