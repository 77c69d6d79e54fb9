"""C2SP signed notes (https://c2sp.org/signed-note) and tlog checkpoints
(https://c2sp.org/tlog-checkpoint).

Why this format: it is what Go's ``golang.org/x/mod/sumdb/note``, the
transparency-dev witnesses and Sigsum/Trillian-Tessera tooling read, so a
yiwang checkpoint signed with Ed25519 can be checked and cosigned by
third-party software without any yiwang code.  Key strings use Go's formats::

    vkey:  <name>+<8 hex key id>+<base64(key type || public key)>
    skey:  PRIVATE+KEY+<name>+<8 hex key id>+<base64(key type || private key)>

    key id = SHA-256(name || 0x0A || key type || public key)[:4]   (big-endian)

Key types:

* Ed25519: the single byte ``0x01`` assigned by the signed-note spec; public
  key = 32 bytes, private key = 32-byte seed.  Interoperable.
* SM2: **there is no standard signed-note type for SM2.**  Following the
  spec's advice for unassigned algorithms we use the reserved byte ``0xff``
  followed by the private identifier ``b"yiwang/sm2-sm3"`` as the key type
  (``SM2_KEY_TYPE``).  Public key = 65-byte uncompressed SEC1 point, private
  key = 32-byte scalar, signature = raw 64-byte ``r || s`` of SM2-with-SM3
  using the default user ID ``1234567812345678``.  Only yiwang tooling
  understands these signatures; other verifiers will ignore them as unknown.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Union

from .suite import Ed25519Signer, Ed25519Verifier, Signer, SM2Signer, SM2Verifier, Verifier

__all__ = [
    "ED25519_KEY_TYPE",
    "SM2_KEY_TYPE",
    "Checkpoint",
    "InvalidSignatureError",
    "KeyFormatError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "UnverifiedNoteError",
    "checkpoint_signers",
    "format_checkpoint",
    "generate_key",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_checkpoint",
    "parse_skey",
    "parse_vkey",
    "sign_checkpoint",
    "sign_note",
]

ED25519_KEY_TYPE = b"\x01"
SM2_KEY_TYPE = b"\xffyiwang/sm2-sm3"
MAX_SIGNATURES = 100  # like Go; the spec requires accepting at least 16
_SIG_PREFIX = "\u2014 "  # em dash, space

VerifierSpec = Union["NoteVerifier", str, Iterable[Union["NoteVerifier", str]]]


class NoteError(ValueError):
    """Base class for signed-note problems."""


class MalformedNoteError(NoteError):
    """The text is not a syntactically valid signed note / checkpoint."""


class InvalidSignatureError(NoteError):
    """A signature from a known key failed to verify: the note is rejected."""


class UnverifiedNoteError(NoteError):
    """The note parsed but carries no signature from any trusted key."""

    def __init__(self, message: str, note: Note) -> None:
        super().__init__(message)
        self.note = note


class KeyFormatError(NoteError):
    """A vkey/skey string is malformed or its key ID does not match."""


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() or ord(ch) < 0x20 for ch in name)


def key_id(name: str, encoded_public_key: bytes) -> int:
    """``SHA-256(name || "\\n" || key type || public key)[:4]`` as a uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + encoded_public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(s: str) -> bytes:
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError(f"invalid base64: {exc}") from None


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


@dataclass(frozen=True)
class NoteVerifier:
    """A trusted public key with its note name and key ID."""

    name: str
    key_id: int
    key_type: bytes
    verifier: Verifier

    def vkey(self) -> str:
        encoded = self.key_type + self.verifier.public_key_bytes()
        return f"{self.name}+{self.key_id:08x}+{_b64(encoded)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        return self.verifier.verify(message, signature)


@dataclass(frozen=True)
class NoteSigner:
    """A private key with its note name and key ID."""

    name: str
    key_id: int
    key_type: bytes
    signer: Signer

    @classmethod
    def from_signer(cls, name: str, signer: Signer) -> NoteSigner:
        if not _valid_name(name):
            raise KeyFormatError(f"invalid key name {name!r}: must be non-empty, no spaces or '+'")
        key_type = _key_type_for(signer.algorithm)
        return cls(name, key_id(name, key_type + signer.public_key_bytes()), key_type, signer)

    def skey(self) -> str:
        encoded = self.key_type + self.signer.private_key_bytes()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{_b64(encoded)}"

    def note_verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.key_id, self.key_type, self.signer.verifier())

    def vkey(self) -> str:
        return self.note_verifier().vkey()

    def sign(self, message: bytes) -> bytes:
        return self.signer.sign(message)


def _key_type_for(algorithm: str) -> bytes:
    if algorithm == "ed25519":
        return ED25519_KEY_TYPE
    if algorithm == "sm2":
        return SM2_KEY_TYPE
    raise KeyFormatError(f"unsupported signature algorithm {algorithm!r}")


def generate_key(name: str, algorithm: str = "ed25519") -> tuple[str, str]:
    """Create a new key pair; returns ``(skey, vkey)`` strings (Go-compatible for Ed25519)."""
    signer: Signer
    if algorithm == "ed25519":
        signer = Ed25519Signer.generate()
    elif algorithm == "sm2":
        signer = SM2Signer.generate()
    else:
        raise KeyFormatError(f"unsupported signature algorithm {algorithm!r}")
    ns = NoteSigner.from_signer(name, signer)
    return ns.skey(), ns.vkey()


def _split_key(s: str, what: str) -> tuple[str, int, bytes]:
    name, sep1, rest = s.partition("+")
    hex_id, sep2, b64 = rest.partition("+")
    if not (sep1 and sep2) or not _valid_name(name):
        raise KeyFormatError(f"malformed {what}: expected <name>+<hex key id>+<base64 key>")
    if not re.fullmatch(r"[0-9a-fA-F]{8}", hex_id):
        raise KeyFormatError(f"malformed {what}: key id {hex_id!r} is not 8 hex digits")
    try:
        raw = _b64decode(b64)
    except ValueError as exc:
        raise KeyFormatError(f"malformed {what}: key is not {exc}") from None
    if not raw:
        raise KeyFormatError(f"malformed {what}: empty key")
    return name, int(hex_id, 16), raw


def _split_type(raw: bytes, what: str) -> tuple[bytes, bytes]:
    for key_type in (ED25519_KEY_TYPE, SM2_KEY_TYPE):
        if raw.startswith(key_type) and (key_type != ED25519_KEY_TYPE or len(raw) == 33):
            return key_type, raw[len(key_type) :]
    raise KeyFormatError(f"{what}: unknown or malformed key type 0x{raw[0]:02x}")


def parse_vkey(vkey: str) -> NoteVerifier:
    """Parse ``<name>+<hex id>+<base64>``; checks the key ID matches the key."""
    name, kid, raw = _split_key(vkey.strip(), "verifier key")
    if kid != key_id(name, raw):
        raise KeyFormatError(f"verifier key {name}+{kid:08x}: key id does not match the key")
    key_type, pub = _split_type(raw, "verifier key")
    verifier: Verifier
    try:
        verifier = Ed25519Verifier(pub) if key_type == ED25519_KEY_TYPE else SM2Verifier(pub)
    except ValueError as exc:
        raise KeyFormatError(f"verifier key {name}+{kid:08x}: {exc}") from None
    return NoteVerifier(name, kid, key_type, verifier)


def parse_skey(skey: str) -> NoteSigner:
    """Parse ``PRIVATE+KEY+<name>+<hex id>+<base64>``; checks the derived key ID."""
    skey = skey.strip()
    if not skey.startswith("PRIVATE+KEY+"):
        raise KeyFormatError("malformed signer key: must start with PRIVATE+KEY+")
    name, kid, raw = _split_key(skey[len("PRIVATE+KEY+") :], "signer key")
    key_type, priv = _split_type(raw, "signer key")
    signer: Signer
    try:
        signer = Ed25519Signer(priv) if key_type == ED25519_KEY_TYPE else SM2Signer(priv)
    except ValueError as exc:
        raise KeyFormatError(f"signer key {name}: {exc}") from None
    ns = NoteSigner.from_signer(name, signer)
    if ns.key_id != kid:
        raise KeyFormatError(f"signer key {name}+{kid:08x}: key id does not match the key")
    return ns


# --------------------------------------------------------------------------
# Notes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    base64: str


@dataclass
class Note:
    text: str
    sigs: list[Signature] = field(default_factory=list)
    unverified_sigs: list[Signature] = field(default_factory=list)


def _check_chars(s: str) -> None:
    for i, ch in enumerate(s):
        if ord(ch) < 0x20 and ch != "\n":
            raise MalformedNoteError(f"control character U+{ord(ch):04X} at offset {i}")


def sign_note(text: str, *signers: NoteSigner) -> str:
    """Sign ``text`` (which must end in a newline) with each signer."""
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    if not signers:
        raise ValueError("at least one signer is required")
    _check_chars(text)
    msg = text.encode("utf-8")
    lines = []
    for s in signers:
        sig = s.key_id.to_bytes(4, "big") + s.sign(msg)
        lines.append(f"{_SIG_PREFIX}{s.name} {_b64(sig)}\n")
    return text + "\n" + "".join(lines)


def _as_verifiers(spec: VerifierSpec) -> list[NoteVerifier]:
    items: Iterable[NoteVerifier | str]
    items = [spec] if isinstance(spec, (NoteVerifier, str)) else spec
    return [parse_vkey(v) if isinstance(v, str) else v for v in items]


def open_note(msg: str | bytes, verifiers: VerifierSpec) -> Note:
    """Parse a signed note and verify it against the trusted ``verifiers``.

    Semantics follow the spec and Go's ``note.Open``: signatures from unknown
    keys are ignored (kept in ``unverified_sigs``); a bad signature from a
    known key rejects the whole note; at least one known key must have signed.
    """
    if isinstance(msg, bytes):
        try:
            msg = msg.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError(f"malformed note: not valid UTF-8 ({exc})") from None
    try:
        _check_chars(msg)
    except MalformedNoteError as exc:
        raise MalformedNoteError(f"malformed note: {exc}") from None
    split = msg.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("malformed note: no blank line before the signatures")
    text, block = msg[: split + 1], msg[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("malformed note: signature block missing or not newline-terminated")

    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for v in _as_verifiers(verifiers):
        known.setdefault((v.name, v.key_id), []).append(v)

    note = Note(text)
    seen: set[tuple[str, int]] = set()
    seen_unverified: set[str] = set()
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    for n, line in enumerate(lines, 1):
        if not line.startswith(_SIG_PREFIX):
            raise MalformedNoteError(f"malformed note: signature line {n} does not start with '— '")
        name, _, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        try:
            raw = _b64decode(b64)
        except ValueError:
            raw = b""
        if not _valid_name(name) or not b64 or len(raw) < 5:
            raise MalformedNoteError(f"malformed note: signature line {n} is not '— <name> <base64>'")
        kid = int.from_bytes(raw[:4], "big")
        sig = Signature(name, kid, b64)
        candidates = known.get((name, kid))
        if not candidates:
            if line not in seen_unverified:
                seen_unverified.add(line)
                note.unverified_sigs.append(sig)
            continue
        if len(candidates) > 1:
            raise NoteError(f"ambiguous trusted key {name}+{kid:08x} (configured twice)")
        if (name, kid) in seen:
            continue
        seen.add((name, kid))
        if not candidates[0].verify(text.encode("utf-8"), raw[4:]):
            raise InvalidSignatureError(f"invalid signature for key {name}+{kid:08x}")
        note.sigs.append(sig)
    if not note.sigs:
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in note.unverified_sigs)
        raise UnverifiedNoteError(f"note has no signature from a trusted key (found only: {names or 'none'})", note)
    return note


# --------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------

_SIZE_RE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """The body of a tlog checkpoint: origin, tree size, root hash, extensions."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(cp: Checkpoint) -> str:
    """The note text of a checkpoint (validated, newline-terminated)."""
    text = "\n".join([cp.origin, str(cp.size), _b64(cp.root_hash), *cp.extensions]) + "\n"
    parse_checkpoint(text, hash_size=len(cp.root_hash))  # reject what we could not read back
    return text


def parse_checkpoint(text: str, hash_size: int = 32) -> Checkpoint:
    """Parse checkpoint note text (without signatures); strict per the C2SP spec."""
    if not text.endswith("\n"):
        raise MalformedNoteError("malformed checkpoint: text must end with a newline")
    _check_chars(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedNoteError("malformed checkpoint: need origin, size and root hash lines")
    origin, size_s, root_s, *ext = lines
    if not origin:
        raise MalformedNoteError("malformed checkpoint: empty origin line")
    if not _SIZE_RE.fullmatch(size_s) or int(size_s) >= 1 << 64:
        raise MalformedNoteError(f"malformed checkpoint: tree size {size_s!r} is not a decimal uint64")
    try:
        root = _b64decode(root_s)
    except ValueError as exc:
        raise MalformedNoteError(f"malformed checkpoint: root hash is {exc}") from None
    if _b64(root) != root_s or len(root) != hash_size:
        raise MalformedNoteError(f"malformed checkpoint: root hash must be canonical base64 of {hash_size} bytes")
    if any(not line for line in ext):
        raise MalformedNoteError("malformed checkpoint: empty extension line")
    return Checkpoint(origin, int(size_s), root, tuple(ext))


def sign_checkpoint(cp: Checkpoint, *signers: NoteSigner) -> str:
    """A signed checkpoint note.  The log key's name SHOULD equal the origin."""
    return sign_note(format_checkpoint(cp), *signers)


def open_checkpoint(
    text: str | bytes,
    verifiers: VerifierSpec,
    *,
    origin: str | None = None,
    hash_size: int = 32,
) -> Checkpoint:
    """Verify a signed checkpoint and return its parsed body.

    ``verifiers`` may be a :class:`NoteVerifier`, a vkey string, or a list of
    either.  When ``origin`` is given the checkpoint must be for that log.
    """
    note = open_note(text, verifiers)
    cp = parse_checkpoint(note.text, hash_size=hash_size)
    if origin is not None and cp.origin != origin:
        raise NoteError(f"checkpoint is for origin {cp.origin!r}, expected {origin!r}")
    return cp


def checkpoint_signers(text: str | bytes, verifiers: Sequence[NoteVerifier]) -> list[Signature]:
    """The trusted signatures on a checkpoint (e.g. log key + witnesses)."""
    return open_note(text, verifiers).sigs
