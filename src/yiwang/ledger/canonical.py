"""Canonical leaf encoding and salted commitments to personal data.

Why canonical JSON: a leaf's hash must be reproducible by anyone holding the
leaf's content (a citizen, an auditor, the offline ``yiwang-verify`` tool),
independent of dict ordering or whitespace in whichever JSON library produced
it.  We emit the subset of RFC 8785 (JCS) that needs no number formatting
decisions: objects, arrays, strings, booleans, null and *integers* in the
IEEE-754 safe range.  Floats are rejected outright, because their textual form
is where JSON serializers disagree (and amounts of money should be integers in
minor units anyway).  For this subset the output is byte-identical to JCS.

Why commitments: personal data must never enter the append-only ledger in
clear, or the right to erasure could not be honoured.  A leaf stores
``commit_personal(value, salt)`` instead; the salt is stored *off-ledger*
next to the personal record.  Deleting the salt (and the value) makes the
commitment an unlinkable random-looking string, while the ledger's hashes and
proofs stay valid.  As long as the salt exists, anyone shown value + salt can
check it against the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

__all__ = [
    "COMMIT_DOMAIN",
    "MAX_SAFE_INTEGER",
    "MIN_SALT_BYTES",
    "CanonicalJSONError",
    "canonical_json",
    "commit_personal",
    "new_salt",
    "verify_personal",
]

MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer JCS (via IEEE-754 doubles) represents exactly."""

COMMIT_DOMAIN = b"yiwang/ledger/commit-personal/v1\x00"
MIN_SALT_BYTES = 16


class CanonicalJSONError(ValueError):
    """The value cannot be canonically encoded (float, bad key, lone surrogate...)."""


def _utf16_key(s: str) -> bytes:
    # RFC 8785 §3.2.3: sort member names by their UTF-16 code units.
    return s.encode("utf-16-be", "surrogatepass")


def _encode(value: Any, out: list[str], path: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJSONError(f"{path}: integer {value} is outside +/-(2**53-1); encode it as a string")
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise CanonicalJSONError(f"{path}: floats are not allowed in ledger leaves (use integers or strings)")
    elif isinstance(value, str):
        _check_str(value, path)
        # json.dumps(ensure_ascii=False) escapes exactly what ECMAScript's
        # JSON.stringify escapes: '"', '\\', \b \f \n \r \t, other C0 as \u00xx.
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        for k in value:
            if not isinstance(k, str):
                raise CanonicalJSONError(f"{path}: object keys must be strings, got {k!r}")
            _check_str(k, f"{path}.{k}")
        out.append("{")
        for i, k in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            _encode(value[k], out, f"{path}.{k}")
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _encode(item, out, f"{path}[{i}]")
        out.append("]")
    else:
        raise CanonicalJSONError(f"{path}: type {type(value).__name__} is not allowed in ledger leaves")


def _check_str(s: str, path: str) -> None:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalJSONError(f"{path}: string is not valid Unicode (lone surrogate)") from exc


def canonical_json(value: Any) -> bytes:
    """Canonical UTF-8 JSON bytes of ``value`` (JCS-compatible subset).

    Raises :class:`CanonicalJSONError` for floats, non-string keys, unsafe
    integers, lone surrogates and non-JSON types.
    """
    out: list[str] = []
    _encode(value, out, "$")
    return "".join(out).encode("utf-8")


def new_salt() -> bytes:
    """A fresh 32-byte random salt for :func:`commit_personal`."""
    return secrets.token_bytes(32)


def commit_personal(value: str, salt: bytes) -> str:
    """Hex SHA-256 commitment to a piece of personal data.

    ``SHA-256(COMMIT_DOMAIN || len(salt) as 2-byte big-endian || salt || UTF-8(value))``

    The salt (at least 16 random bytes, see :func:`new_salt`) MUST be stored
    off-ledger, next to the personal record: it both hides low-entropy values
    such as ID-card numbers from brute force and, once deleted, makes the
    on-ledger commitment meaningless -- that is how erasure requests are
    honoured without breaking the Merkle tree.  The value is hashed exactly as
    given (no Unicode normalisation); normalise before committing if needed.
    """
    if not isinstance(value, str):
        raise TypeError("value must be a str")
    if len(salt) < MIN_SALT_BYTES or len(salt) > 0xFFFF:
        raise ValueError(f"salt must be between {MIN_SALT_BYTES} and 65535 bytes")
    h = hashlib.sha256(COMMIT_DOMAIN)
    h.update(len(salt).to_bytes(2, "big"))
    h.update(salt)
    h.update(value.encode("utf-8"))
    return h.hexdigest()


def verify_personal(value: str, salt: bytes, commitment: str) -> bool:
    """Constant-time check that ``commitment`` commits to ``value`` under ``salt``."""
    return hmac.compare_digest(commit_personal(value, salt), commitment.lower())
