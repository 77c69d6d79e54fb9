"""The e-license QR payload (docs/licenses.md "QR payload"), free of Django.

The QR text of an e-license is a C2SP signed note (`yiwang.ledger.note`) signed by the
platform's license issuer key. Its body is eight lines:

    yiwang-license/1
    <identifier>            1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>
    <type code>             21 characters
    <issuer USCC>           18 characters
    <valid from>            YYYY-MM-DD
    <valid until>           YYYY-MM-DD, or "-" for 长期 (no end)
    <holder commitment>     base64 SHA-256("yiwang-license-holder\\n" || salt || holder id)
    <content digest>        base64 SHA-256 of the canonical JSON of the licensed facts

Nothing personal is in clear text. Used by the issuing service and the offline verifier.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yiwang.core.identifiers import IdentifierError, validate_license_identifier
from yiwang.ledger.canonical import canonical_json
from yiwang.ledger.note import NoteSigner, NoteVerifier, open_note, sign_note

HEADER = "yiwang-license/1"
HOLDER_DOMAIN = b"yiwang-license-holder\n"
NO_END = "-"

__all__ = [
    "HEADER",
    "LicenseNote",
    "LicenseNoteError",
    "content_digest",
    "holder_commitment",
    "open_license_note",
    "sign_license_note",
]


class LicenseNoteError(ValueError):
    """The text is not a well-formed license note body (the signature is note.py's error)."""


@dataclass(frozen=True)
class LicenseNote:
    identifier: str
    type_code: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: 长期
    holder_commitment: str
    content_digest: str

    def body(self) -> str:
        until = self.valid_until.isoformat() if self.valid_until else NO_END
        lines = [
            HEADER,
            self.identifier,
            self.type_code,
            self.issuer,
            self.valid_from.isoformat(),
            until,
            self.holder_commitment,
            self.content_digest,
        ]
        return "".join(f"{line}\n" for line in lines)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def holder_commitment(holder_id: str, salt: bytes) -> str:
    """The salted commitment to the holder's ID number or USCC (the holder can reveal both)."""
    return _b64(hashlib.sha256(HOLDER_DOMAIN + salt + holder_id.encode("utf-8")).digest())


def holder_matches(holder_id: str, salt: bytes, commitment: str) -> bool:
    return hmac.compare_digest(holder_commitment(holder_id, salt), commitment)


def content_digest(facts: Mapping[str, Any]) -> str:
    """base64 SHA-256 of the canonical JSON of the licensed facts."""
    return _b64(hashlib.sha256(canonical_json(dict(facts))).digest())


def sign_license_note(note: LicenseNote, signer: NoteSigner) -> str:
    """The QR text: the note body and the issuer's signature line."""
    parse_license_body(note.body())  # never sign what a verifier would refuse
    return sign_note(note.body(), signer)


def _date(value: str, what: str) -> dt.date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise LicenseNoteError(f"{what} is not a YYYY-MM-DD date: {value!r}") from exc


def _digest(value: str, what: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise LicenseNoteError(f"{what} is not base64") from exc
    if len(raw) != 32 or _b64(raw) != value:
        raise LicenseNoteError(f"{what} is not a padded base64 SHA-256 digest")
    return value


def parse_license_body(body: str) -> LicenseNote:
    """Parse the eight lines of a license note body; LicenseNoteError names what is wrong."""
    if not body.endswith("\n"):
        raise LicenseNoteError("the body must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) != 8:
        raise LicenseNoteError(f"the body has {len(lines)} lines, not 8")
    header, identifier, type_code, issuer, valid_from, valid_until, holder, digest = lines
    if header != HEADER:
        raise LicenseNoteError(f"unknown payload format {header!r}")
    try:
        if validate_license_identifier(identifier) != identifier:
            raise LicenseNoteError("the identifier is not in its normal form")
    except IdentifierError as exc:
        raise LicenseNoteError(f"identifier: {exc.rule}") from exc
    parts = identifier.split(".")
    if parts[5] != type_code or parts[6] != issuer:
        raise LicenseNoteError("the type code or issuer does not match the identifier")
    start = _date(valid_from, "valid from")
    end = None if valid_until == NO_END else _date(valid_until, "valid until")
    if end is not None and end < start:
        raise LicenseNoteError("valid until is before valid from")
    return LicenseNote(identifier, type_code, issuer, start, end, _digest(holder, "holder"), _digest(digest, "digest"))


def open_license_note(text: str | bytes, verifiers: NoteVerifier | Sequence[NoteVerifier]) -> LicenseNote:
    """Verify the issuer's signature (note.py errors) and parse the body (LicenseNoteError)."""
    note = open_note(text, [verifiers] if isinstance(verifiers, NoteVerifier) else list(verifiers))
    return parse_license_body(note.text)
