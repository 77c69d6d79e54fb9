"""Crypto suites for the ledger: a hash suite for the Merkle tree and signature
algorithms for checkpoints.

Why a suite abstraction: the platform must run with international algorithms
(SHA-256 / Ed25519, interoperable with the C2SP / transparency-dev ecosystem)
and, where required by regulation, with the Chinese national algorithms
(SM3 / SM2).  Everything above this module only talks to ``HashSuite``,
``Signer`` and ``Verifier`` so the tree and note code is algorithm-agnostic.

This module needs neither Django nor a database.  ``gmssl`` is imported lazily
and only for SM2 (and for SM3 when the local OpenSSL lacks it).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "SHA256",
    "SM3",
    "Ed25519Signer",
    "Ed25519Verifier",
    "HashSuite",
    "SM2Signer",
    "SM2Verifier",
    "Signer",
    "SuiteUnavailableError",
    "Verifier",
    "get_hash_suite",
]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


class SuiteUnavailableError(RuntimeError):
    """Raised when an algorithm needs an optional dependency that is missing."""


@dataclass(frozen=True)
class HashSuite:
    """RFC 9162 §2.1.1 hashing with domain separation between leaves and nodes.

    The 0x00 / 0x01 prefixes prevent second-preimage attacks where an interior
    node is passed off as a leaf.
    """

    name: str
    digest_size: int
    _hash: Callable[[bytes], bytes]

    def hash(self, data: bytes) -> bytes:
        return self._hash(data)

    def leaf_hash(self, data: bytes) -> bytes:
        """MTH({d}) = HASH(0x00 || d)."""
        return self._hash(LEAF_PREFIX + data)

    def node_hash(self, left: bytes, right: bytes) -> bytes:
        """HASH(0x01 || left || right)."""
        return self._hash(NODE_PREFIX + left + right)

    def empty_root(self) -> bytes:
        """MTH({}) = HASH() -- the root of the empty tree."""
        return self._hash(b"")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _make_sm3() -> Callable[[bytes], bytes]:
    """Prefer OpenSSL's SM3 (fast, C); fall back to gmssl's pure-Python SM3."""
    try:
        hashlib.new("sm3", b"abc")
    except ValueError:
        pass
    else:
        return lambda data: hashlib.new("sm3", data).digest()

    def _gmssl_sm3(data: bytes) -> bytes:
        try:
            from gmssl import sm3 as gm_sm3  # type: ignore[import-untyped]
        except ImportError as exc:  # pragma: no cover - depends on environment
            raise SuiteUnavailableError(
                "SM3 is not available: this OpenSSL has no 'sm3' digest and the "
                "'gmssl' package is not installed (pip install gmssl)"
            ) from exc
        return bytes.fromhex(gm_sm3.sm3_hash(list(data)))

    return _gmssl_sm3


SHA256 = HashSuite("sha256", 32, _sha256)
SM3 = HashSuite("sm3", 32, _make_sm3())

_HASH_SUITES = {"sha256": SHA256, "sm3": SM3}


def get_hash_suite(name: str) -> HashSuite:
    """Look a hash suite up by its configuration name ("sha256" or "sm3")."""
    try:
        return _HASH_SUITES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown hash suite {name!r}; expected one of {sorted(_HASH_SUITES)}") from None


# --------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------


class Verifier(Protocol):
    """A public key able to check signatures over arbitrary messages."""

    algorithm: str

    def public_key_bytes(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


class Signer(Protocol):
    """A private key.  ``private_key_bytes`` is the raw seed/scalar."""

    algorithm: str

    def public_key_bytes(self) -> bytes: ...

    def private_key_bytes(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...

    def verifier(self) -> Verifier: ...


class Ed25519Verifier:
    """RFC 8032 Ed25519 verification; the public key is the raw 32 bytes."""

    algorithm = "ed25519"

    def __init__(self, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise ValueError(f"Ed25519 public key must be 32 bytes, got {len(public_key)}")
        self._raw = bytes(public_key)
        self._key = Ed25519PublicKey.from_public_bytes(self._raw)

    def public_key_bytes(self) -> bytes:
        return self._raw

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Ed25519Signer:
    """Ed25519 signing key stored as its 32-byte RFC 8032 seed."""

    algorithm = "ed25519"

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError(f"Ed25519 seed must be 32 bytes, got {len(seed)}")
        self._seed = bytes(seed)
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        self._pub = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(secrets.token_bytes(32))

    def public_key_bytes(self) -> bytes:
        return self._pub

    def private_key_bytes(self) -> bytes:
        return self._seed

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self._pub)


# --- SM2 (GB/T 32918, signature with SM3 and the default user ID) -----------

_SM2_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_SM2_A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
_SM2_B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
_SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


def _gmssl_sm2() -> Any:
    try:
        from gmssl import sm2  # type: ignore[import-untyped]
    except ImportError as exc:
        raise SuiteUnavailableError("SM2 signatures need the optional 'gmssl' package (pip install gmssl)") from exc
    return sm2


def _sm2_context(private_hex: str, public_xy_hex: str) -> Any:
    sm2 = _gmssl_sm2()
    ctx = sm2.CryptSM2(private_key=private_hex, public_key="00" * 64)
    # Set the key after construction: gmssl's constructor strips a "04"
    # prefix with str.lstrip, which corrupts coordinates starting with 0 or 4.
    ctx.public_key = public_xy_hex
    return ctx


def _sm2_check_point(public_key: bytes) -> None:
    if len(public_key) != 65 or public_key[0] != 0x04:
        raise ValueError("SM2 public key must be 65 bytes: 0x04 || X || Y (uncompressed)")
    x = int.from_bytes(public_key[1:33], "big")
    y = int.from_bytes(public_key[33:], "big")
    if not (x < _SM2_P and y < _SM2_P) or (y * y - (x * x * x + _SM2_A * x + _SM2_B)) % _SM2_P:
        raise ValueError("SM2 public key is not a point on the SM2 curve")


class SM2Verifier:
    """SM2 signature verification (SM3 digest, user ID "1234567812345678").

    Signatures are the raw 64-byte ``r || s`` form (not DER) so that they have
    a fixed size inside signed notes.  The public key is the 65-byte SEC1
    uncompressed point.  Uses the optional ``gmssl`` package.
    """

    algorithm = "sm2"

    def __init__(self, public_key: bytes) -> None:
        _sm2_check_point(public_key)
        self._raw = bytes(public_key)
        _gmssl_sm2()  # fail early with a clear error if gmssl is missing

    def public_key_bytes(self) -> bytes:
        return self._raw

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        # gmssl does not range-check r and s itself.
        if not (0 < r < _SM2_N and 0 < s < _SM2_N):
            return False
        ctx = _sm2_context("00" * 32, self._raw[1:].hex())
        return bool(ctx.verify_with_sm3(signature.hex(), message))


class SM2Signer:
    """SM2 signing key (32-byte big-endian private scalar).

    Nonces come from :mod:`secrets`; gmssl's own default nonce generator uses
    :mod:`random`, which is not cryptographically secure, so we never let it
    choose one.
    """

    algorithm = "sm2"

    def __init__(self, private_key: bytes) -> None:
        if len(private_key) != 32:
            raise ValueError(f"SM2 private key must be 32 bytes, got {len(private_key)}")
        d = int.from_bytes(private_key, "big")
        if not 0 < d < _SM2_N - 1:
            raise ValueError("SM2 private key out of range [1, n-2]")
        sm2 = _gmssl_sm2()
        self._d = bytes(private_key)
        ctx = sm2.CryptSM2(private_key=self._d.hex(), public_key="00" * 64)
        xy = ctx._kg(d, sm2.default_ecc_table["g"])
        self._pub = b"\x04" + bytes.fromhex(xy)
        self._ctx = _sm2_context(self._d.hex(), xy)

    @classmethod
    def generate(cls) -> SM2Signer:
        d = secrets.randbelow(_SM2_N - 2) + 1
        return cls(d.to_bytes(32, "big"))

    def public_key_bytes(self) -> bytes:
        return self._pub

    def private_key_bytes(self) -> bytes:
        return self._d

    def sign(self, message: bytes) -> bytes:
        for _ in range(64):
            k = secrets.randbelow(_SM2_N - 1) + 1
            sig = self._ctx.sign_with_sm3(message, f"{k:064x}")
            if sig:  # gmssl returns None for the (negligible) degenerate cases
                return bytes.fromhex(sig)
        raise RuntimeError("SM2 signing failed repeatedly")  # pragma: no cover

    def verifier(self) -> SM2Verifier:
        return SM2Verifier(self._pub)
