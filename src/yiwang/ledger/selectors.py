"""Ledger reads: checkpoints and proofs, in the JSON shapes `yiwang-verify` reads."""

import base64
import json
from typing import Any

from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.ledger.config import log_hash_suite, log_verifier
from yiwang.ledger.merkle import consistency_proof, inclusion_proof
from yiwang.ledger.models import Checkpoint, Entry
from yiwang.ledger.store import DatabaseNodeReader


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


def checkpoint_at(size: int) -> Checkpoint:
    checkpoint = Checkpoint.objects.filter(tree_size=size).first()
    if checkpoint is None:
        raise NotFound(f"没有树大小为 {size} 的检查点。", field="size")
    return checkpoint


def verifier_key() -> str:
    return log_verifier().vkey()


def entry_get(entry_id: int) -> Entry:
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(f"账本条目 {entry_id} 不存在。", field="entry_id")
    return entry


def entries_of_subject(subject: str) -> list[Entry]:
    return list(Entry.objects.filter(subject=subject).order_by("id"))


def inclusion_proof_for(entry: Entry, *, tree_size: int | None = None) -> dict[str, Any]:
    """Inclusion proof of `entry` in the checkpoint of `tree_size` (default: latest)."""
    if entry.leaf_index is None:
        raise ValidationFailed({"entry_id": ["该条目尚未上链（通常在几秒内完成），请稍后再试。"]})
    checkpoint = checkpoint_at(tree_size) if tree_size is not None else checkpoint_latest()
    if checkpoint is None or entry.leaf_index >= checkpoint.tree_size:
        raise ValidationFailed({"tree_size": ["该条目不在此检查点覆盖的范围内。"]})
    proof = inclusion_proof(log_hash_suite(), DatabaseNodeReader(), entry.leaf_index, checkpoint.tree_size)
    return {
        "leaf_index": entry.leaf_index,
        "tree_size": checkpoint.tree_size,
        "leaf": json.loads(entry.leaf),
        "leaf_hash": _b64(bytes(entry.leaf_hash)),
        "proof": [_b64(h) for h in proof],
        "checkpoint": checkpoint.note,
    }


def consistency_proof_between(old_size: int, new_size: int) -> dict[str, Any]:
    if not 0 < old_size <= new_size:
        raise ValidationFailed({"old_size": ["须满足 0 < old_size ≤ new_size。"]})
    old, new = checkpoint_at(old_size), checkpoint_at(new_size)
    proof = consistency_proof(log_hash_suite(), DatabaseNodeReader(), old_size, new_size)
    return {
        "old_size": old_size,
        "new_size": new_size,
        "proof": [_b64(h) for h in proof],
        "old_checkpoint": old.note,
        "new_checkpoint": new.note,
    }


def entries_of_kinds(kinds: list[str], *, limit: int = 50, offset: int = 0) -> list[Entry]:
    return list(Entry.objects.filter(kind__in=kinds).order_by("-id")[offset : offset + limit])
