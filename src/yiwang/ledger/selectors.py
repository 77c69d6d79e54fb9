"""Ledger reads: entries as the public sees them, checkpoints and proofs.

Entries leave this module as `PublicEntry`: kind, subject and time are read from the leaf
(the part the Merkle tree covers), never from the denormalised columns, and a row whose
columns disagree with its leaf is not served by the column-filtered lists (the audit
reports it). Proofs come in the JSON shapes `yiwang-verify` reads.
"""

import base64
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.paginator import Page, Paginator

from yiwang.core.errors import Gone, NotFound, ValidationFailed
from yiwang.ledger.canonical import verify_personal
from yiwang.ledger.config import log_hash_suite, log_verifier
from yiwang.ledger.events import disclosed_kinds
from yiwang.ledger.leaf import LeafError, leaf_facts
from yiwang.ledger.merkle import MissingNodeError, consistency_proof, inclusion_proof
from yiwang.ledger.models import ArchivedPartition, Checkpoint, Entry, EntrySalt
from yiwang.ledger.store import DatabaseNodeReader

UNREADABLE = "（记录内容无法解析，请以账本审计结果为准）"


@dataclass(frozen=True)
class PublicEntry:
    """An entry as pages and the API show it: every fact from the leaf, or from the tree."""

    id: int
    kind: str
    subject: str
    created_at: dt.datetime | None
    leaf: str
    leaf_hash: bytes
    leaf_index: int | None
    integrated_at: dt.datetime | None
    columns_agree: bool

    @property
    def pk(self) -> int:
        return self.id


def public_entry(entry: Entry) -> PublicEntry:
    """The entry with its shown facts read from the leaf (columns are only for queries)."""
    try:
        facts = leaf_facts(entry.leaf)
    except LeafError:
        kind, subject, at, agree = UNREADABLE, UNREADABLE, None, False
    else:
        kind, subject, at = facts.kind, facts.subject, facts.at
        agree = (entry.kind, entry.subject, entry.created_at) == (kind, subject, at)
    return PublicEntry(
        id=entry.pk,
        kind=kind,
        subject=subject,
        created_at=at,
        leaf=entry.leaf,
        leaf_hash=bytes(entry.leaf_hash),
        leaf_index=entry.leaf_index,
        integrated_at=entry.integrated_at,
        columns_agree=agree,
    )


def public_entries(entries: Iterable[Entry]) -> list[PublicEntry]:
    """Rows found by a column filter, minus those whose leaf says otherwise (moved rows)."""
    return [view for view in map(public_entry, entries) if view.columns_agree]


@dataclass(frozen=True)
class SaltedEntry:
    """An entry with the salts of its personal-data commitments, for checks on the server.

    The salts never leave the server: a caller asks `commits_to(name, value)` for a value it
    already holds (the signed-in person's own identifier, the purpose on a read record)."""

    entry: PublicEntry
    doc: dict[str, Any]  # the leaf, parsed ({} when it is not a JSON object)
    salts: dict[str, bytes]

    @property
    def payload(self) -> dict[str, Any]:
        payload = self.doc.get("payload")
        return payload if isinstance(payload, dict) else {}

    def commits_to(self, name: str, value: str) -> bool:
        commitments = self.doc.get("commitments")
        commitment = commitments.get(name) if isinstance(commitments, dict) else None
        salt = self.salts.get(name)
        return isinstance(commitment, str) and salt is not None and verify_personal(value, salt, commitment)


def _salted(entry: Entry) -> SaltedEntry:
    try:
        doc = json.loads(entry.leaf)
    except (json.JSONDecodeError, TypeError):
        doc = None
    try:
        stored = entry.salt.salts
    except EntrySalt.DoesNotExist:  # erased, or never had personal data
        stored = {}
    salts = {}
    for name, salt in (stored if isinstance(stored, dict) else {}).items():
        try:
            salts[str(name)] = bytes.fromhex(salt)
        except (TypeError, ValueError):
            continue
    return SaltedEntry(public_entry(entry), doc if isinstance(doc, dict) else {}, salts)


def salted_entries(entry_ids: Iterable[int]) -> dict[int, SaltedEntry]:
    """The entries of `entry_ids` that exist, by id, with their salts."""
    return {e.pk: _salted(e) for e in Entry.objects.filter(pk__in=set(entry_ids)).select_related("salt")}


def salted_entries_of_kind(
    kind: str, *, subject_prefix: str, start: dt.datetime | None, end: dt.datetime | None, limit: int
) -> list[SaltedEntry] | None:
    """Entries of `kind` on subjects starting with `subject_prefix` written in [start, end),
    as their leaves say (a row whose columns disagree with its leaf is left out, as on every
    public list); None when there are more than `limit` of them to look at."""
    entries = Entry.objects.filter(kind=kind, subject__startswith=subject_prefix)
    if start is not None:
        entries = entries.filter(created_at__gte=start)
    if end is not None:
        entries = entries.filter(created_at__lt=end)
    found = []
    for entry in entries.select_related("salt").order_by("id")[: limit + 1].iterator(chunk_size=2000):
        found.append(_salted(entry))
        if len(found) > limit:
            return None
    return [salted for salted in found if salted.entry.columns_agree and salted.entry.kind == kind]


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


def entry_get(entry_id: int) -> PublicEntry:
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        archived = ArchivedPartition.objects.filter(
            table=Entry._meta.db_table, entry_id_min__lte=entry_id, entry_id_max__gte=entry_id
        ).first()
        if archived is not None:
            raise Gone(
                f"账本条目 {entry_id} 所在的月度分区 {archived.partition}（{archived.range_start:%Y-%m}，"
                f"叶子 {archived.leaf_from}–{(archived.leaf_to or 0) - 1}）已归档至 {Path(archived.file).name}；"
                "其内容与包含证明须从归档文件取得（运维可用 yiwang partitions restore 恢复）。",
                field="entry_id",
            )
        raise NotFound(f"账本条目 {entry_id} 不存在。", field="entry_id")
    return public_entry(entry)


def entries_of_subject(subject: str) -> list[PublicEntry]:
    return public_entries(Entry.objects.filter(subject=subject).order_by("id"))


def disclosed_entries(page_number: str | None, *, per_page: int = 20) -> tuple[Page, list[PublicEntry]]:
    """One page of 阳光审批公示, newest first: the entries of the kinds the event catalogue
    discloses (`events.disclosed_kinds`), each read from its leaf; a row whose kind column
    was moved onto a disclosed kind is not served (its leaf says otherwise)."""
    kinds = disclosed_kinds()
    page = Paginator(Entry.objects.filter(kind__in=kinds).order_by("-id"), per_page).get_page(page_number)
    return page, [entry for entry in public_entries(page) if entry.kind in kinds]


def disclosed_entries_in(expected: Mapping[int, str]) -> list[PublicEntry]:
    """The entries of a filtered 阳光审批 page, in the order of `expected` ({entry id: the
    subject its selector found it by}), each read from its leaf. The selection was made
    elsewhere (cases.disclosure, through the case tables), so the leaf has the last word: an
    entry whose leaf is not of a disclosed kind, or names another subject, is not served."""
    kinds = set(disclosed_kinds())
    found = {entry.pk: public_entry(entry) for entry in Entry.objects.filter(pk__in=list(expected))}
    return [
        view
        for entry_id, subject in expected.items()
        if (view := found.get(entry_id)) is not None
        and view.columns_agree
        and view.kind in kinds
        and view.subject == subject
    ]


def inclusion_proof_for(entry: PublicEntry, *, tree_size: int | None = None) -> dict[str, Any]:
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
        "leaf_hash": _b64(entry.leaf_hash),
        "proof": [_b64(h) for h in proof],
        "checkpoint": checkpoint.note,
    }


def consistency_proof_between(old_size: int, new_size: int) -> dict[str, Any]:
    if not 0 < old_size <= new_size:
        raise ValidationFailed({"old_size": ["须满足 0 < old_size ≤ new_size。"]})
    old, new = checkpoint_at(old_size), checkpoint_at(new_size)
    try:
        proof = consistency_proof(log_hash_suite(), DatabaseNodeReader(), old_size, new_size)
    except MissingNodeError as exc:  # the proof needs a leaf of an archived month (ADR 0034)
        raise Gone(
            f"树大小 {old_size} 到 {new_size} 的一致性证明需要已归档月份中的叶子，请从归档文件计算或恢复该分区。",
            field="old_size",
        ) from exc
    return {
        "old_size": old_size,
        "new_size": new_size,
        "proof": [_b64(h) for h in proof],
        "old_checkpoint": old.note,
        "new_checkpoint": new.note,
    }


def integration_backlog() -> tuple[int, dt.datetime | None]:
    """Entries written but not yet in the tree, and when the oldest was written (the partial
    index `ledger_entry_pending` serves both: the operator's integrator-lag figure)."""
    pending = Entry.objects.filter(leaf_index__isnull=True)
    oldest = pending.order_by("id").values_list("created_at", flat=True).first()
    return pending.count(), oldest
