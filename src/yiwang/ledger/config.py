"""The log's identity and crypto suite, from settings (environment variables).

LEDGER_ORIGIN names the log (one per province, say) and is the checkpoint's origin line.
LEDGER_HASH picks the tree hash (sha256 default, sm3 for 国密). The signing key is the
signed-note private key string in LEDGER_SIGNING_KEY (`yiwang ledger keygen` prints one);
on the embedded default only, a key file is created under the data directory on first
use. The private key is never logged or served; only the verifier key (vkey) is public.
"""

import functools
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from yiwang.ledger.note import NoteSigner, NoteVerifier, generate_key, parse_skey
from yiwang.ledger.suite import HashSuite, get_hash_suite


@functools.cache
def log_hash_suite() -> HashSuite:
    return get_hash_suite(settings.LEDGER_HASH)


def log_origin() -> str:
    return str(settings.LEDGER_ORIGIN)


def _key_name() -> str:
    return log_origin().replace(" ", "_")


def embedded_key(path: Path, name: str) -> str:
    """Create (once) and read the embedded default's key file, readable by its owner only."""
    if not path.exists():
        skey, _ = generate_key(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(skey + "\n")
    return path.read_text().strip()


@functools.cache
def log_signer() -> NoteSigner:
    skey = settings.LEDGER_SIGNING_KEY or embedded_key(Path(settings.LEDGER_KEY_FILE), _key_name())
    signer = parse_skey(skey)
    if signer.name != _key_name():
        raise ImproperlyConfigured(f"LEDGER_SIGNING_KEY is for log {signer.name!r}, not LEDGER_ORIGIN {log_origin()!r}")
    return signer


def log_verifier() -> NoteVerifier:
    return log_signer().note_verifier()
