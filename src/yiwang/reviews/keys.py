"""The experts' opinion-signing keys (ADR 0028: the platform holds them).

Each expert's Ed25519 key is derived from REVIEWS_SIGNING_SECRET and the expert's code
(HMAC-SHA256), so no private key is stored in the database; the public key is published with
the pool. Signing happens only inside `opinion_sign`, after the expert's own login confirmed
the opinion.
"""

import hashlib
import hmac

from django.conf import settings

from yiwang.ledger.suite import Ed25519Signer, Ed25519Verifier


def _signer(code: str) -> Ed25519Signer:
    secret = str(settings.REVIEWS_SIGNING_SECRET).encode()
    return Ed25519Signer(hmac.new(secret, f"yiwang-review-key|{code}".encode(), hashlib.sha256).digest())


def public_key_of(code: str) -> str:
    return _signer(code).public_key_bytes().hex()


def sign_as(code: str, message: bytes) -> str:
    return _signer(code).sign(message).hex()


def verify(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        return Ed25519Verifier(bytes.fromhex(public_key_hex)).verify(message, bytes.fromhex(signature_hex))
    except ValueError:
        return False
