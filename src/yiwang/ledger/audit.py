"""`yiwang ledger audit`: recompute the whole tree from the entries and check everything.

It streams the entries in leaf order (memory stays flat), recomputes each leaf hash from
the stored leaf text, rebuilds every perfect subtree and compares it with the stored node,
and at every checkpoint size compares the root and verifies the checkpoint's signature.
A gap in the leaf indices (a deleted row), an edited leaf, an edited node, a forged or
rewritten checkpoint — each is reported with what failed.

It also covers what the public is shown but the tree does not hash: the query columns
`kind`, `subject` and `created_at` must equal the leaf's own fields (pages and the API
read those from the leaf, see selectors.PublicEntry, but filter on the columns), and
`integrated_at` must be the time of the checkpoint whose batch took the entry (the
integrator writes both from one clock reading). Pending entries get the same column
checks. Times are not compared across rows: web hosts and the worker may disagree by a
few milliseconds, and a signed checkpoint carries no time (C2SP), so `integrated_at` is
the platform's claim, kept consistent — the leaf's `at` is the signed one.

Apps above the ledger whose public figures are derived from logged events add their own
checks with `register_audit_extension` (in `AppConfig.ready`; the ledger imports none of
them): `yiwang ledger audit` runs each after the log itself and fails on any problem
(supervision: the roll-ups and the published months, ADR 0020).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from yiwang.core.errors import DomainError
from yiwang.ledger.archive import read_archive_file
from yiwang.ledger.config import log_hash_suite, log_origin, log_verifier
from yiwang.ledger.leaf import LeafError, leaf_facts
from yiwang.ledger.merkle import MissingNodeError, NodeKey, TreeAppender, root_at
from yiwang.ledger.models import ArchivedPartition, Checkpoint, Entry, LogHead, Node
from yiwang.ledger.note import NoteError, open_checkpoint
from yiwang.ledger.store import DatabaseNodeReader
from yiwang.ledger.suite import HashSuite


@dataclass
class AuditReport:
    entries: int = 0
    checkpoints: int = 0
    nodes: int = 0
    problems: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)  # facts worth saying that are not problems

    @property
    def clean(self) -> bool:
        return not self.problems


def ledger_audit(*, chunk: int = 5000, max_problems: int = 50, archive_dir: Path | None = None) -> AuditReport:
    """Audit the log. An archived prefix (ADR 0034) is taken from its frontier, checked against
    the stored nodes and the signed checkpoints — or, given `archive_dir`, re-read from the
    archive files (their SHA-256 checked first) and recomputed like the rest."""
    suite = log_hash_suite()
    verifier = log_verifier()
    report = AuditReport()
    checkpoints = list(
        Checkpoint.objects.order_by("tree_size").values_list("tree_size", "root_hash", "note", "created_at")
    )
    next_cp = 0
    appender = TreeAppender(suite)
    pending_nodes: dict[NodeKey, bytes] = {}

    def check_checkpoints_at(size: int, root: bytes | None) -> None:
        nonlocal next_cp
        while next_cp < len(checkpoints) and checkpoints[next_cp][0] == size:
            cp_size, cp_root, note, _ = checkpoints[next_cp]
            report.checkpoints += 1
            try:
                body = open_checkpoint(note, verifier, origin=log_origin(), hash_size=suite.digest_size)
            except NoteError as exc:
                report.problems.append(f"检查点 size={cp_size}：签名或格式无效（{exc}）")
            else:
                if body.size != cp_size or body.root_hash != bytes(cp_root):
                    report.problems.append(f"检查点 size={cp_size}：签名内容与存储的树大小/根哈希不一致")
                if root is None:
                    report.problems.append(f"检查点 size={cp_size}：已归档部分缺少重算根哈希所需的树节点")
                elif body.root_hash != root:
                    report.problems.append(f"检查点 size={cp_size}：根哈希与由条目重算的结果不一致（历史被改写）")
            next_cp += 1

    rows: Iterable[_Row] = []
    archived = list(ArchivedPartition.objects.filter(table="ledger_entry", leaf_to__isnull=False).order_by("leaf_from"))
    if archived:
        prefix = _archived_prefix(archived, report)
        if prefix is None:
            return report
        if archive_dir is None:
            resumed = _resume_from_frontier(suite, archived[-1], report)
            if resumed is None:
                return report
            appender = resumed
            reader = DatabaseNodeReader()
            while next_cp < len(checkpoints) and checkpoints[next_cp][0] <= prefix:
                size = checkpoints[next_cp][0]
                try:
                    root: bytes | None = appender.root() if size == prefix else root_at(suite, reader, size)
                except MissingNodeError:
                    root = None
                check_checkpoints_at(size, root)
            report.info.append(
                f"叶子 0–{prefix - 1} 已归档（{len(archived)} 个月度分区）：从归档时记录的前沿哈希接续，"
                "已与存储的树节点和签名检查点核对；加 --archive 目录可重读归档文件并重算"
            )
        else:
            try:
                rows = _archived_rows(archived, archive_dir)
            except DomainError as exc:
                report.problems.append(exc.message)
                return report
            report.info.append(
                f"叶子 0–{prefix - 1} 已归档（{len(archived)} 个月度分区）：已从 {archive_dir} 重读，"
                "文件 SHA-256 与清单一致，叶子已重算"
            )
    entries = Entry.objects.filter(leaf_index__isnull=False, leaf_index__gte=appender.size).order_by("leaf_index")
    for row in chain(rows, entries.values_list(*_COLUMNS).iterator(chunk_size=chunk)):
        leaf_index, entry_id, leaf, leaf_hash = row[:4]
        if len(report.problems) >= max_problems:
            break
        if leaf_index != appender.size:
            report.problems.append(f"叶子 {appender.size}–{(leaf_index or 0) - 1} 缺失（条目被删除）；审计到此为止")
            break
        recomputed = suite.leaf_hash(leaf.encode())
        if recomputed != bytes(leaf_hash):
            report.problems.append(f"条目 {entry_id}（叶子 {leaf_index}）：内容与其叶子哈希不符（条目被篡改）")
        batch_at = checkpoints[next_cp][3] if next_cp < len(checkpoints) else None
        report.problems.extend(_column_problems(row, batch_at=batch_at))
        for key, value in appender.append([recomputed]).new_nodes:
            if key[0]:  # level 0 is the entry's own leaf hash, checked just above
                pending_nodes[key] = value
        report.entries += 1
        check_checkpoints_at(appender.size, appender.root())
        if len(pending_nodes) >= chunk:
            _compare_nodes(pending_nodes, report)
    _compare_nodes(pending_nodes, report)
    for row in Entry.objects.filter(leaf_index__isnull=True).order_by("id").values_list(*_COLUMNS).iterator(chunk):
        if len(report.problems) >= max_problems:
            break
        if suite.leaf_hash(row[2].encode()) != bytes(row[3]):
            report.problems.append(f"条目 {row[1]}（待上链）：内容与其叶子哈希不符（条目被篡改）")
        report.problems.extend(_column_problems(row, batch_at=None))
    if next_cp < len(checkpoints):
        report.problems.append(f"检查点 size={checkpoints[next_cp][0]} 超出现存条目数 {appender.size}（条目被删除）")
    head = LogHead.objects.filter(id=1).first()
    if head is not None and head.tree_size != appender.size and not report.problems:
        report.problems.append(f"账本头记录的树大小 {head.tree_size} 与条目数 {appender.size} 不一致")
    return report


def _archived_prefix(archived: list[ArchivedPartition], report: AuditReport) -> int | None:
    """Where the archived prefix ends, if the archived ranges are exactly [0, b)."""
    end = 0
    for part in archived:
        if part.leaf_from != end:
            report.problems.append(
                f"已归档的账本分区 {part.partition} 起于叶子 {part.leaf_from}，应接续 {end}：归档记录不是连续前缀"
            )
            return None
        end = part.leaf_to or end
    return end


def _resume_from_frontier(suite: HashSuite, last: ArchivedPartition, report: AuditReport) -> TreeAppender | None:
    """The tree at the archive's end from its manifest's frontier, compared with the stored nodes."""
    size = last.leaf_to or 0
    frontier = [bytes.fromhex(h) for h in last.manifest.get("ledger", {}).get("frontier", [])]
    keys = TreeAppender.frontier_keys(size)
    stored = DatabaseNodeReader().get_nodes(keys)
    if len(frontier) != len(keys):
        report.problems.append(f"已归档前缀（叶子 0–{size - 1}）的清单缺少前沿哈希，无法接续审计")
        return None
    if any(stored.get(key) != value for key, value in zip(keys, frontier, strict=True)):
        report.problems.append(f"已归档前缀（叶子 0–{size - 1}）的前沿哈希与存储的树节点不一致（清单或节点被改动）")
    return TreeAppender(suite, size, frontier)


def _archived_rows(archived: list[ArchivedPartition], archive_dir: Path) -> list[_Row]:
    """The archived entries as audit rows, in leaf order; each file's SHA-256 checked first."""
    found: list[_Row] = []
    for part in archived:
        for row in read_archive_file(archive_dir / Path(part.file).name, part.sha256):
            found.append(
                (
                    row["leaf_index"],
                    row["id"],
                    row["leaf"],
                    bytes.fromhex(row["leaf_hash"].removeprefix("\\x")),
                    row["kind"],
                    row["subject"],
                    dt.datetime.fromisoformat(row["created_at"]),
                    dt.datetime.fromisoformat(row["integrated_at"]) if row["integrated_at"] else None,
                )
            )
    found.sort(key=lambda r: r[0] or 0)
    return found


def _compare_nodes(expected: dict[NodeKey, bytes], report: AuditReport) -> None:
    if not expected:
        return
    by_level: dict[int, list[int]] = {}
    for level, index in expected:
        by_level.setdefault(level, []).append(index)
    for level, indexes in by_level.items():
        stored = dict(
            Node.objects.filter(level=level, index__gte=min(indexes), index__lte=max(indexes)).values_list(
                "index", "hash"
            )
        )
        for index in indexes:
            value = stored.get(index)
            report.nodes += 1
            if value is None:
                report.problems.append(f"树节点 ({level}, {index}) 缺失")
            elif bytes(value) != expected[(level, index)]:
                report.problems.append(f"树节点 ({level}, {index}) 被篡改")
    expected.clear()


_COLUMNS = ("leaf_index", "id", "leaf", "leaf_hash", "kind", "subject", "created_at", "integrated_at")
_Row = tuple[int | None, int, str, bytes, str, str, dt.datetime, dt.datetime | None]


def _column_problems(row: _Row, *, batch_at: dt.datetime | None) -> list[str]:
    """What the entry's shown-but-unhashed columns get wrong, against its leaf and its batch."""
    leaf_index, entry_id, leaf, _, kind, subject, created_at, integrated_at = row
    where = f"条目 {entry_id}（{'待上链' if leaf_index is None else f'叶子 {leaf_index}'}）"
    try:
        facts = leaf_facts(leaf)
    except LeafError as exc:
        return [f"{where}：叶子不是有效的账本记录（{exc}）"]
    problems = []
    for label, column, value in (("事件类型（kind）", kind, facts.kind), ("对象（subject）", subject, facts.subject)):
        if column != value:
            problems.append(f"{where}：{label}列为“{column}”，叶子中为“{value}”（列被篡改）")
    if created_at != facts.at:
        problems.append(
            f"{where}：写入时间（created_at）列为 {created_at.isoformat()}，叶子中为 {facts.at.isoformat()}（列被篡改）"
        )
    if leaf_index is None:
        if integrated_at is not None:
            problems.append(f"{where}：尚未上链却有上链时间（integrated_at）{integrated_at.isoformat()}（列被篡改）")
    elif batch_at is None:
        problems.append(f"{where}：没有覆盖它的检查点")
    elif integrated_at != batch_at:
        shown = integrated_at.isoformat() if integrated_at else "空"
        problems.append(
            f"{where}：上链时间（integrated_at）列为 {shown}，覆盖它的检查点签发于 {batch_at.isoformat()}（列被篡改）"
        )
    return problems


@dataclass
class ExtensionReport:
    """What an app's audit found: a title, a line of what it checked, its problems (Chinese)."""

    title: str
    checked: str
    problems: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)  # what it left out, and why (not problems)


AuditExtension = Callable[[], ExtensionReport]
_EXTENSIONS: list[AuditExtension] = []


def register_audit_extension(extension: AuditExtension) -> None:
    if extension not in _EXTENSIONS:
        _EXTENSIONS.append(extension)


def audit_extensions() -> list[AuditExtension]:
    return list(_EXTENSIONS)
