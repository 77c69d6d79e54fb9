"""Offline verification of ledger proofs as served by the API.

Why a separate module: citizens, auditors and courts must be able to check a
proof without trusting (or even reaching) the platform.  Everything here is
pure Python -- no Django, no database -- and is shared by the API (to emit
exactly the JSON shape the verifier reads) and by ``yiwang-verify``.

Proof JSON formats (all hashes standard base64):

Inclusion::

    {"leaf_index": 5, "tree_size": 8,
     "leaf_hash": "<base64 RFC 9162 leaf hash>"      # and/or
     "leaf": {...canonical leaf object...},          # hashed as canonical JSON
     "proof": ["<base64>", ...]}

Consistency::

    {"old_size": 6, "new_size": 8, "proof": ["<base64>", ...]}

``leaf`` may also be given as a string holding JSON text; it is parsed and
re-canonicalised.  When both ``leaf`` and ``leaf_hash`` are present they must
agree.  ``old_size``/``new_size`` are optional; when present they must match
the checkpoints.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .canonical import CanonicalJSONError, canonical_json
from .merkle import VerificationError, verify_consistency, verify_inclusion
from .note import Checkpoint
from .suite import HashSuite

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "ProofFormatError",
    "check_consistency",
    "check_inclusion",
    "consistency_to_json",
    "inclusion_to_json",
    "leaf_hash_of",
    "parse_consistency_json",
    "parse_inclusion_json",
]


class ProofFormatError(VerificationError):
    """The proof JSON is malformed (as opposed to cryptographically wrong)."""


@dataclass(frozen=True)
class InclusionProof:
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    proof: list[bytes]


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int | None
    new_size: int | None
    proof: list[bytes]


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise ProofFormatError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ProofFormatError(f"{what} is not valid base64") from None


def _uint(obj: Mapping[str, Any], key: str, required: bool = True) -> int | None:
    if key not in obj:
        if required:
            raise ProofFormatError(f"proof JSON lacks {key!r}")
        return None
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ProofFormatError(f"{key!r} must be a non-negative integer, got {v!r}")
    return v


def _hash_list(obj: Mapping[str, Any]) -> list[bytes]:
    proof = obj.get("proof")
    if proof is None:
        proof = []
    if not isinstance(proof, list):
        raise ProofFormatError("'proof' must be a list of base64 hashes")
    return [_b64(p, f"proof[{i}]") for i, p in enumerate(proof)]


def leaf_hash_of(suite: HashSuite, leaf: Any) -> bytes:
    """RFC 9162 leaf hash of a ledger leaf given as a JSON value or JSON text."""
    if isinstance(leaf, str):
        try:
            leaf = json.loads(leaf)
        except json.JSONDecodeError as exc:
            raise ProofFormatError(f"'leaf' string is not JSON text: {exc}") from None
    try:
        return suite.leaf_hash(canonical_json(leaf))
    except CanonicalJSONError as exc:
        raise ProofFormatError(f"'leaf' cannot be canonicalised: {exc}") from None


def parse_inclusion_json(suite: HashSuite, obj: Any) -> InclusionProof:
    """Validate and decode an inclusion-proof JSON object."""
    if not isinstance(obj, dict):
        raise ProofFormatError("inclusion proof JSON must be an object")
    index = _uint(obj, "leaf_index")
    size = _uint(obj, "tree_size")
    assert index is not None and size is not None
    given = _b64(obj["leaf_hash"], "'leaf_hash'") if "leaf_hash" in obj else None
    computed = leaf_hash_of(suite, obj["leaf"]) if "leaf" in obj else None
    if given is None and computed is None:
        raise ProofFormatError("inclusion proof JSON needs 'leaf_hash' or 'leaf'")
    if given is not None and computed is not None and given != computed:
        raise VerificationError(f"'leaf_hash' {given.hex()} does not match the hash of 'leaf' {computed.hex()}")
    leaf_hash = computed if computed is not None else given
    assert leaf_hash is not None
    return InclusionProof(index, size, leaf_hash, _hash_list(obj))


def parse_consistency_json(obj: Any) -> ConsistencyProof:
    """Validate and decode a consistency-proof JSON object."""
    if not isinstance(obj, dict):
        raise ProofFormatError("consistency proof JSON must be an object")
    return ConsistencyProof(
        _uint(obj, "old_size", required=False),
        _uint(obj, "new_size", required=False),
        _hash_list(obj),
    )


def _enc(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode("ascii") for h in hashes]


def inclusion_to_json(
    leaf_index: int,
    tree_size: int,
    leaf_hash: bytes,
    proof: Sequence[bytes],
    leaf: Any = None,
) -> dict[str, Any]:
    """The API representation of an inclusion proof (what ``yiwang-verify`` reads)."""
    out: dict[str, Any] = {
        "leaf_index": leaf_index,
        "tree_size": tree_size,
        "leaf_hash": base64.b64encode(leaf_hash).decode("ascii"),
        "proof": _enc(proof),
    }
    if leaf is not None:
        out["leaf"] = leaf
    return out


def consistency_to_json(old_size: int, new_size: int, proof: Sequence[bytes]) -> dict[str, Any]:
    """The API representation of a consistency proof."""
    return {"old_size": old_size, "new_size": new_size, "proof": _enc(proof)}


def check_inclusion(suite: HashSuite, checkpoint: Checkpoint, proof: InclusionProof) -> None:
    """Verify an inclusion proof against an (already signature-checked) checkpoint."""
    if proof.tree_size != checkpoint.size:
        raise VerificationError(
            f"proof is for tree size {proof.tree_size} but the checkpoint has size {checkpoint.size}"
        )
    verify_inclusion(suite, proof.leaf_index, proof.tree_size, proof.leaf_hash, proof.proof, checkpoint.root_hash)


def check_consistency(suite: HashSuite, old: Checkpoint, new: Checkpoint, proof: ConsistencyProof) -> None:
    """Verify that checkpoint ``new`` is an append-only extension of ``old``."""
    if old.origin != new.origin:
        raise VerificationError(f"checkpoints are from different logs: {old.origin!r} vs {new.origin!r}")
    if old.size > new.size:
        raise VerificationError(f"old checkpoint (size {old.size}) is larger than new checkpoint (size {new.size})")
    if proof.old_size is not None and proof.old_size != old.size:
        raise VerificationError(f"proof is from size {proof.old_size} but the old checkpoint has size {old.size}")
    if proof.new_size is not None and proof.new_size != new.size:
        raise VerificationError(f"proof is to size {proof.new_size} but the new checkpoint has size {new.size}")
    verify_consistency(suite, old.size, new.size, proof.proof, old.root_hash, new.root_hash)
