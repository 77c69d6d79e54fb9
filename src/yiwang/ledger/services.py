"""Ledger writes from the rest of the platform.

`ledger_append` is the only way a business event enters the log. It must run inside the
caller's transaction: the entry commits (pending) with the change it records or not at
all; the integrator (integrator.py) gives it a leaf index and a checkpoint within seconds.
"""

import json
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
    entry = Entry(
        kind=kind, subject=subject, leaf=leaf.decode(), leaf_hash=log_hash_suite().leaf_hash(leaf), created_at=at
    )
    _insert(entry, {name: salt.hex() for name, salt in salts.items()})
    return entry


_INSERT = (
    "INSERT INTO ledger_entry (kind, subject, leaf, leaf_hash, created_at) VALUES (%s, %s, %s, %s, %s) RETURNING id"
)
_INSERT_WITH_SALTS = (
    "WITH entry AS (INSERT INTO ledger_entry (kind, subject, leaf, leaf_hash, created_at)"
    " VALUES (%s, %s, %s, %s, %s) RETURNING id)"
    " INSERT INTO ledger_entrysalt (entry_id, salts) SELECT id, %s::jsonb FROM entry RETURNING entry_id"
)


def _insert(entry: Entry, salts: dict[str, str]) -> None:
    """Write the entry and, if any, its salts. On PostgreSQL in one statement (a data-modifying
    WITH), not two ORM INSERTs: every case action appends one to four entries, and Python's
    cost per ORM statement is most of an action's CPU (docs/performance.md)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        if salts:
            EntrySalt.objects.create(entry=entry, salts=salts)
        return
    values = [entry.kind, entry.subject, entry.leaf, entry.leaf_hash, entry.created_at]
    if salts:
        values.append(json.dumps(salts))
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_WITH_SALTS if salts else _INSERT, values)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding, entry._state.db = False, connection.alias
