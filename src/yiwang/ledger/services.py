"""Ledger writes from the rest of the platform.

`ledger_append` is the only way a business event enters the log. It must run inside the
caller's transaction: the entry commits (pending) with the change it records or not at
all; the integrator (integrator.py) gives it a leaf index and a checkpoint within seconds.
"""

import secrets
from typing import Any

from django.db import transaction

from yiwang.core import clock
from yiwang.ledger.canonical import canonical_json, commit_personal
from yiwang.ledger.config import log_hash_suite
from yiwang.ledger.models import Entry, EntrySalt


def ledger_append(*, kind: str, subject: str, payload: dict[str, Any], personal: dict[str, str] | None = None) -> Entry:
    """Append a pending entry recording `kind` on `subject`.

    `payload` is public (it goes into the leaf as is: no personal data). `personal` values
    are replaced in the leaf by salted SHA-256 commitments; the salts are kept in
    `EntrySalt`, off the public log, so an entitled party can prove a value and erasure
    stays possible.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_append must run inside the transaction of the change it records")
    at = clock.now()
    salts = {name: secrets.token_bytes(16) for name in sorted(personal or {})}
    leaf_doc: dict[str, Any] = {
        "at": at.isoformat(timespec="microseconds"),
        "kind": kind,
        "payload": payload,
        "subject": subject,
    }
    if personal:
        leaf_doc["commitments"] = {name: commit_personal(value, salts[name]) for name, value in personal.items()}
    leaf = canonical_json(leaf_doc)
    entry = Entry.objects.create(
        kind=kind, subject=subject, leaf=leaf.decode(), leaf_hash=log_hash_suite().leaf_hash(leaf), created_at=at
    )
    if salts:
        EntrySalt.objects.create(entry=entry, salts={name: salt.hex() for name, salt in salts.items()})
    return entry
