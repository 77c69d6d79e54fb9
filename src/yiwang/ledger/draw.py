"""Verifiable random draws seeded by the signed log (docs/reviews.md, ADR 0028).

Pure Python, no Django: the platform draws expert panels with it and ``yiwang-verify draw``
re-runs a published draw record with it, so both sides share one implementation (and an
outsider can reimplement it from docs/reviews.md).

Algorithm ``yiwang-draw-v1``:

1. At the request, each eligible candidate ``code`` gets a fresh 16-byte salt and is
   published only as its commitment ``SHA-256(salt || utf8(code))`` (hex). The sorted list of
   commitments is fixed in the request's ledger entry by its digest
   ``SHA-256(utf8("\\n".join(sorted commitments)))``.
2. The seed comes from the first signed checkpoint whose tree holds that entry (tree size >
   the entry's leaf index): ``seed = SHA-256(utf8("yiwang-draw-v1|<panel ref>|<tree size>|")
   || root hash)``.
3. Each commitment ``c`` gets the key ``SHA-256(seed || bytes.fromhex(c))``; the ranking is the
   commitments sorted by (key, c).
4. The first ``size`` of the ranking are invited; each declined or expired invitation is
   replaced by the next of the ranking not yet invited. So the invited, in order, are always
   a prefix of the ranking, ``size`` + (declined + expired) long (or the whole ranking).
5. On conclusion the salts are revealed: anyone checks each commitment against its code.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .suite import Ed25519Verifier

ALGORITHM = "yiwang-draw-v1"
RECORD_FORMAT = "yiwang-draw-record/1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
REPLACED_STATES = frozenset({"declined", "expired"})


class DrawError(ValueError):
    """A draw record that does not hold together (malformed or not reproducible)."""


def commitment(code: str, salt: bytes) -> str:
    """The public commitment to one candidate: SHA-256(salt || utf8(code)), hex."""
    return hashlib.sha256(salt + code.encode("utf-8")).hexdigest()


def eligible_digest(commitments: Iterable[str]) -> str:
    """What the request's ledger entry fixes: SHA-256 over the sorted commitments, one a line."""
    return hashlib.sha256("\n".join(sorted(commitments)).encode("ascii")).hexdigest()


def seed_of(panel_ref: str, tree_size: int, root_hash: bytes) -> bytes:
    """The draw's seed from the panel's public reference and the seeding checkpoint."""
    if tree_size < 1:
        raise DrawError("the seeding checkpoint must hold at least one entry")
    prefix = f"{ALGORITHM}|{panel_ref}|{tree_size}|".encode()
    return hashlib.sha256(prefix + root_hash).digest()


def rank(seed: bytes, commitments: Iterable[str]) -> list[str]:
    """The commitments in draw order: by SHA-256(seed || commitment bytes), then by commitment."""
    items = list(commitments)
    for c in items:
        if not _HEX64.match(c):
            raise DrawError(f"not a commitment (64 lower-case hex digits): {c!r}")
    if len(set(items)) != len(items):
        raise DrawError("the eligible list repeats a commitment")
    return sorted(items, key=lambda c: (hashlib.sha256(seed + bytes.fromhex(c)).digest(), c))


def invited_prefix_length(size: int, statuses: Sequence[str], eligible: int) -> int:
    """How many of the ranking must have been invited given the invitations' statuses."""
    return min(eligible, size + sum(1 for s in statuses if s in REPLACED_STATES))


@dataclass(frozen=True)
class DrawCheck:
    """What a verified record says, for the verifier's message."""

    panel: str
    seed: str
    ranking: list[str]
    members: list[str]
    revealed: int
    opinions: int = 0


def check_record(record: object, *, tree_size: int, root_hash: bytes) -> DrawCheck:
    """Re-run a published draw record against the (signature-checked) seeding checkpoint.

    Checks the seed, the ranking, that the invited are the ranking's prefix (replacements in
    order), and every revealed salt against its commitment. Raises DrawError."""
    if not isinstance(record, dict):
        raise DrawError("the draw record must be a JSON object")
    if record.get("format") != RECORD_FORMAT or record.get("algorithm") != ALGORITHM:
        raise DrawError(f"unknown record format/algorithm (expected {RECORD_FORMAT} / {ALGORITHM})")
    panel = _str(record, "panel")
    size = record.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise DrawError("'size' must be a positive integer")
    source = record.get("seed_source")
    if not isinstance(source, dict):
        raise DrawError("the record has no 'seed_source' (the draw is still waiting for its seed)")
    if source.get("tree_size") != tree_size or source.get("root_hash") != root_hash.hex():
        raise DrawError(
            f"the record was seeded by tree size {source.get('tree_size')} root {source.get('root_hash')}, "
            f"not by the given checkpoint (size {tree_size} root {root_hash.hex()})"
        )
    request = record.get("request")
    if isinstance(request, dict) and isinstance(request.get("leaf_index"), int) and request["leaf_index"] >= tree_size:
        raise DrawError("the seeding checkpoint does not hold the request's ledger entry")
    eligible = _str_list(record, "eligible")
    if isinstance(request, dict) and request.get("eligible_digest") not in (None, eligible_digest(eligible)):
        raise DrawError("the eligible list does not match the digest fixed in the request's ledger entry")
    seed = seed_of(panel, tree_size, root_hash)
    if record.get("seed") != seed.hex():
        raise DrawError(f"seed mismatch: the record says {record.get('seed')}, recomputed {seed.hex()}")
    ranking = rank(seed, eligible)
    if _str_list(record, "ranking") != ranking:
        raise DrawError("the published ranking differs from the recomputed one")
    invitations = record.get("invitations")
    if not isinstance(invitations, list) or not all(isinstance(i, dict) for i in invitations):
        raise DrawError("'invitations' must be a list of objects")
    invited = [str(i.get("commitment")) for i in invitations]
    statuses = [str(i.get("status")) for i in invitations]
    expected = invited_prefix_length(size, statuses, len(ranking))
    if invited != ranking[:expected]:
        raise DrawError(
            "the invited experts are not the ranking's prefix "
            f"(expected the first {expected} of the ranking, in order, replacements included)"
        )
    members = [c for c, s in zip(invited, statuses, strict=True) if s not in REPLACED_STATES]
    revealed = record.get("revealed") or {}
    if not isinstance(revealed, dict):
        raise DrawError("'revealed' must map commitments to {code, salt}")
    for c, opening in revealed.items():
        if not isinstance(opening, dict) or not isinstance(opening.get("salt"), str):
            raise DrawError(f"revealed opening of {c} is malformed")
        if not _HEX32.match(opening["salt"]) or not isinstance(opening.get("code"), str):
            raise DrawError(f"revealed opening of {c} is malformed")
        if commitment(opening["code"], bytes.fromhex(opening["salt"])) != c:
            raise DrawError(f"revealed salt of {opening['code']} does not open commitment {c}")
        if c not in eligible and c not in {x.get("commitment") for x in _excluded(record)}:
            raise DrawError(f"revealed commitment {c} is neither eligible nor excluded")
    signed = _check_opinions(record, panel, members)
    return DrawCheck(
        panel=panel, seed=seed.hex(), ranking=ranking, members=members, revealed=len(revealed), opinions=signed
    )


def _check_opinions(record: dict[str, object], panel: str, members: list[str]) -> int:
    """Each published opinion: its canonical form names this panel and a seat, and its
    Ed25519 signature verifies under the given key (the pool publishes each expert's key)."""
    opinions = record.get("opinions") or []
    if not isinstance(opinions, list):
        raise DrawError("'opinions' must be a list")
    for n, item in enumerate(opinions):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("opinion", "signature", "public_key")
        ):
            raise DrawError(f"opinion {n} is malformed")
        try:
            doc = json.loads(item["opinion"])
            key, sig = bytes.fromhex(item["public_key"]), bytes.fromhex(item["signature"])
            valid = Ed25519Verifier(key).verify(item["opinion"].encode("utf-8"), sig)
        except ValueError as exc:
            raise DrawError(f"opinion {n} is malformed: {exc}") from None
        if not isinstance(doc, dict) or doc.get("panel") != panel or doc.get("commitment") not in members:
            raise DrawError(f"opinion {n} is not an opinion of a seat of this panel")
        if not valid:
            raise DrawError(f"opinion {n}: the Ed25519 signature does not verify")
    return len(opinions)


def _excluded(record: dict[str, object]) -> list[dict[str, object]]:
    found = record.get("excluded") or []
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def _str(record: dict[str, object], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise DrawError(f"{key!r} must be a non-empty string")
    return value


def _str_list(record: dict[str, object], key: str) -> list[str]:
    value = record.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DrawError(f"{key!r} must be a list of strings")
    return list(value)
