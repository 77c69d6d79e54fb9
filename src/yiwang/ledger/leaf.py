"""What a leaf says about itself: the facts pages and the API show, read from the leaf.

An entry row repeats three of its leaf's fields as columns (`kind`, `subject`,
`created_at`) so the database can filter and sort on them. Only the leaf is covered by
the Merkle tree, so whatever is *shown* comes from here, and `yiwang ledger audit`
checks that the columns still agree with it (a column edited behind the platform's back
is reported, and never served). No Django: the offline verifier may use it too.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass


class LeafError(ValueError):
    """The leaf text is not a ledger leaf (not JSON, or a field is missing or mistyped)."""


@dataclass(frozen=True)
class LeafFacts:
    kind: str
    subject: str
    at: dt.datetime


def leaf_facts(leaf: str) -> LeafFacts:
    """Parse the public facts out of a leaf's canonical JSON text."""
    try:
        doc = json.loads(leaf)
    except (json.JSONDecodeError, TypeError) as exc:
        raise LeafError(f"leaf is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise LeafError("leaf is not a JSON object")
    kind, subject, at = doc.get("kind"), doc.get("subject"), doc.get("at")
    if not isinstance(kind, str) or not isinstance(subject, str) or not isinstance(at, str):
        raise LeafError("leaf lacks a string 'kind', 'subject' or 'at'")
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError as exc:
        raise LeafError(f"leaf 'at' is not an ISO 8601 time: {at!r}") from exc
    if when.tzinfo is None:
        raise LeafError(f"leaf 'at' has no time zone: {at!r}")
    return LeafFacts(kind=kind, subject=subject, at=when)
