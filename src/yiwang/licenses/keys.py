"""The license issuer key, configured like the log key (ledger/config.py) but separate.

YIWANG_LICENSE_SIGNING_KEY holds the signed-note private key (`yiwang ledger keygen` prints
one; name it `<host>/license`; Ed25519 by default, SM2 as the 国密 option of note.py). Without
it (development and tests only: settings refuse production without it) a key file is made
once under the data directory. Only the verifier key (vkey) is published.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from yiwang.ledger.config import embedded_key
from yiwang.ledger.note import NoteSigner, NoteVerifier, parse_skey


@functools.cache
def license_signer() -> NoteSigner:
    name = str(settings.LICENSE_KEY_NAME)
    skey = settings.LICENSE_SIGNING_KEY or embedded_key(Path(settings.LICENSE_KEY_FILE), name)
    signer = parse_skey(skey)
    if signer.name != name:
        raise ImproperlyConfigured(f"YIWANG_LICENSE_SIGNING_KEY is for {signer.name!r}, not {name!r}")
    if signer.name == settings.LEDGER_ORIGIN or skey == settings.LEDGER_SIGNING_KEY:
        raise ImproperlyConfigured("the license issuer key must not be the log key")
    return signer


def license_verifier() -> NoteVerifier:
    return license_signer().note_verifier()


def license_vkey() -> str:
    return license_verifier().vkey()
