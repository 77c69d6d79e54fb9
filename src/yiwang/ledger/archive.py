"""Archiving old monthly partitions to files, and restoring them (PostgreSQL, ADR 0034).

`partitions_archive(before=…)` takes, for every partitioned table, each month wholly before
`before` (never the current or the previous month), writes its rows to
`<dir>/<partition>.jsonl.gz` (one `row_to_json` per line, by id; gzip without a time stamp so
the same rows give the same bytes) and a manifest `<partition>.manifest.json` (table, range,
rows, the file's SHA-256, and for `ledger_entry` the leaf-index range and the tree's frontier
at its end). Per month: transaction 1 detaches the partition (short: writers by id lock every
partition and wait for it); the detached table, which nobody writes to, is dumped to files
written durably (temporary name, fsync, rename, fsync of the directory; never overwriting);
transaction 2 drops it and records an `ArchivedPartition`, a `LedgerEvent` and a ledger entry
carrying the digests. A run that died between the two is completed by the next one.

The ledger's months may leave only as a prefix of the log: every row integrated, their leaf
indexes exactly [b₀, b) where b₀ is where earlier archives stopped, and no kept row below b.
Archiving keeps, as level-0 nodes, the archived leaf hashes that the tree still needs without
the rows: the last leaf before each checkpoint size of odd size and before the archive's end.
With them every checkpoint root up to b is recomputed from stored nodes, the integrator and
inclusion proofs of later leaves work, and `ledger audit` continues from the frontier.

`partition_restore(manifest)` checks the file's SHA-256 against the manifest and the
`ArchivedPartition` row, then re-creates the partition and reads the rows back.
"""

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import OperationalError, connection, transaction

from yiwang.core import clock
from yiwang.core.errors import Conflict, DomainError, ValidationFailed
from yiwang.ledger.config import log_hash_suite
from yiwang.ledger.events import Domain, LedgerVerb
from yiwang.ledger.merkle import TreeAppender
from yiwang.ledger.models import ArchivedPartition, Checkpoint, LedgerEvent, Node
from yiwang.ledger.partitions import (
    DEFAULT_SUFFIX,
    PartitionInfo,
    _q,
    is_postgresql,
    local_midnight,
    month_start,
    next_month,
    partitioned_tables,
    partitions_of,
)
from yiwang.ledger.services import ledger_append
from yiwang.ledger.store import DatabaseNodeReader

ENTRY_TABLE = "ledger_entry"
FORMAT = "yiwang-partition-archive/1"
_CHUNK = 5000
# The detach waits no longer than this for running transactions; writers that arrive meanwhile
# queue behind it, so it stays well under the web processes' statement_timeout (5 s).
LOCK_TIMEOUT = "2s"


def _require_postgresql() -> None:
    if not is_postgresql():
        raise DomainError("月度分区只在 PostgreSQL 上使用；SQLite 数据库没有分区，无需归档。", rule="postgresql")


def earliest_archivable_cutoff() -> dt.date:
    """The latest allowed `before`: the first day of the previous month (this and the
    previous month stay in the database)."""
    return month_start(month_start(clock.today()) - dt.timedelta(days=1))


def partitions_archive(*, before: dt.date, to: Path, tables: Collection[str] | None = None) -> list[ArchivedPartition]:
    """Archive every month wholly before `before` of every partitioned table (or of `tables`);
    see the module. A month a previous run detached but did not finish is completed first."""
    _require_postgresql()
    if before != month_start(before):
        raise ValidationFailed({"before": ["须为某月的第一天（YYYY-MM）。"]})
    limit = earliest_archivable_cutoff()
    if before > limit:
        raise ValidationFailed(
            {"before": [f"不能归档本月和上月的分区：--before 最晚为 {limit:%Y-%m}（本月与上月仍在使用）。"]}
        )
    to.mkdir(parents=True, exist_ok=True)
    every = partitioned_tables()
    unknown = sorted(set(tables or ()) - set(every))
    if unknown:
        raise ValidationFailed({"table": [f"不是分区表：{'、'.join(unknown)}（可选：{'、'.join(every)}）。"]})
    done = [_finish(part, every[part.table], to) for part in detached_leftovers()]
    months = {
        table: [p for p in partitions_of(table) if p.end is not None and p.end <= before]
        for table in (every if tables is None else sorted(tables))
    }
    _check_ledger_prefix(months.get(ENTRY_TABLE, []))  # refuse before anything is written
    _check_settled(months)
    _check_cases_concluded(months)
    _check_not_archived(months, to)
    for table in sorted(months, key=lambda t: t == ENTRY_TABLE):  # the log's months last
        for part in months[table]:
            _detach(part)
            done.append(_finish(part, every[table], to))
    return done


def detached_leftovers() -> list[PartitionInfo]:
    """Months a run detached but did not drop and record (it died between the two), oldest first:
    plain tables named like a month of a partitioned table, without an ArchivedPartition row."""
    recorded = set(ArchivedPartition.objects.values_list("partition", flat=True))
    found = []
    with connection.cursor() as cursor:
        for table in partitioned_tables():
            cursor.execute(
                "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "AND n.nspname = current_schema() WHERE c.relkind = 'r' AND NOT c.relispartition "
                "AND c.relname ~ %s ORDER BY relname",
                [f"^{re.escape(table)}_p[0-9]{{6}}$"],
            )
            for (name,) in cursor.fetchall():
                if name not in recorded:
                    month = dt.datetime.strptime(name[-6:], "%Y%m").date()
                    found.append(PartitionInfo(table, name, month, next_month(month), 0))
    return sorted(found, key=lambda p: (p.table == ENTRY_TABLE, p.start or dt.date.min))


def _check_not_archived(months: dict[str, list[PartitionInfo]], to: Path) -> None:
    """Never overwrite an archive: not its files, not its record (a month archived, re-created
    and archived again would replace the first file)."""
    for parts in months.values():
        for part in parts:
            if ArchivedPartition.objects.filter(partition=part.name).exists():
                raise Conflict(f"分区 {part.name} 已有归档记录，不能再次归档；请先用 yiwang partitions restore 恢复。")
            for path in (to / f"{part.name}.jsonl.gz", to / f"{part.name}.manifest.json"):
                if path.exists():
                    raise Conflict(f"归档文件 {path} 已存在，拒绝覆盖；请换一个目录或先核对该文件。")


def _archived_leaf_end() -> int:
    last = ArchivedPartition.objects.filter(table=ENTRY_TABLE, leaf_to__isnull=False).order_by("-leaf_to").first()
    return 0 if last is None or last.leaf_to is None else last.leaf_to


def _leaf_span(partition: str) -> tuple[int, int | None, int | None, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), min(leaf_index), max(leaf_index), count(leaf_index) FROM {_q(partition)}"  # noqa: S608
        )
        rows, low, high, integrated = cursor.fetchone()
    if integrated != rows:
        raise Conflict(
            f"分区 {partition} 中有 {rows - integrated} 个条目尚未上链，不能归档；请先运行 yiwang ledger integrate。"
        )
    return rows, low, high, integrated


def _check_ledger_prefix(parts: list[PartitionInfo]) -> None:
    start = _archived_leaf_end()
    for part in parts:
        rows, low, high, _ = _leaf_span(part.name)
        if not rows:
            continue
        if low != start or high is None or high - low + 1 != rows:
            raise Conflict(
                f"分区 {part.name} 的叶子序号为 {low}–{high}（{rows} 条），"
                f"不是紧接已归档前缀 0–{start - 1} 的连续区间："
                "账本只能按前缀归档。若月末的条目晚于下月初的条目上链，请把下一个月一并归档。"
            )
        start = high + 1
    with connection.cursor() as cursor:
        cut = parts[-1].end if parts else None
        if cut is not None:
            cursor.execute(
                f"SELECT count(*) FROM {ENTRY_TABLE} WHERE leaf_index < %s AND created_at >= %s",  # noqa: S608
                [start, local_midnight(cut)],
            )
            if cursor.fetchone()[0]:
                raise Conflict(
                    f"叶子 0–{start - 1} 中有条目属于更晚的月份，归档后账本将不是连续前缀；请把下一个月一并归档。"
                )


# Rows a month may not leave with: a notice still owed to someone would never be sent.
_UNSETTLED = {"notifications_message": ("status = 'pending'", "条待发送的消息")}


def _check_settled(months: dict[str, list[PartitionInfo]]) -> None:
    for table, (condition, what) in _UNSETTLED.items():
        for part in months.get(table, []):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {_q(part.name)} WHERE {condition}")  # noqa: S608 - fixed text
                count = cursor.fetchone()[0]
            if count:
                raise Conflict(f"分区 {part.name} 中仍有 {count} {what}，不能归档；请先处理（重新发送或标记失败）。")


# A case's events stay while the case is still being handled: the rules that read them (回避 of
# its earlier handlers, the last SUSPEND) would otherwise miss them. Concluded, refused,
# withdrawn or revoked cases and drafts (nobody has handled them) may leave.
_CASE_SETTLED = ("concluded", "refused", "withdrawn", "revoked", "draft")


def _check_cases_concluded(months: dict[str, list[PartitionInfo]]) -> None:
    for part in months.get("cases_caseevent", []):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(DISTINCT e.case_id) FROM {_q(part.name)} e JOIN cases_case c ON c.id = e.case_id "  # noqa: S608
                "WHERE c.status <> ALL(%s)",
                [list(_CASE_SETTLED)],
            )
            count = cursor.fetchone()[0]
        if count:
            raise Conflict(
                f"分区 {part.name} 中有 {count} 件尚未办结的办件的事件，不能归档："
                "回避与中止计时的规则仍要读取它们；请待这些办件办结后再归档该月。"
            )


def _detach(part: PartitionInfo) -> None:
    """Transaction 1, short: take the month out of its table. Writers by id (which lock every
    partition) wait only for this, and the month's rule checks are repeated on what left."""
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            cursor.execute(f"ALTER TABLE {_q(part.table)} DETACH PARTITION {_q(part.name)}")
        except OperationalError as exc:
            raise Conflict(f"分区 {part.name} 正被其他事务使用，{LOCK_TIMEOUT} 内未能分离；请稍后重试。") from exc
        months = {part.table: [part]}
        if part.table == ENTRY_TABLE:
            _leaf_span(part.name)
        _check_settled(months)
        _check_cases_concluded(months)


def _finish(part: PartitionInfo, column: str, to: Path) -> ArchivedPartition:
    """The detached month (a plain table nobody writes to): its file and manifest written and
    made durable, then transaction 2 drops it and records the archive."""
    assert part.start is not None and part.end is not None
    path = to / f"{part.name}.jsonl.gz"
    ids, sha256 = _dump(part.name, path)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "table": part.table,
        "column": column,
        "partition": part.name,
        "range": [part.start.isoformat(), part.end.isoformat()],
        "rows": len(ids),
        "file": path.name,
        "sha256": sha256,
    }
    ledger: dict[str, Any] = {}
    if part.table == ENTRY_TABLE and ids:
        ledger = _ledger_facts(part.name)
        manifest["ledger"] = ledger
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    _write_durably(to / f"{part.name}.manifest.json", [manifest_bytes])
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    payload = {key: manifest[key] for key in ("table", "partition", "range", "rows", "sha256")}
    payload["manifest_sha256"] = manifest_sha
    if ledger:
        payload["leaves"] = [ledger["leaf_from"], ledger["leaf_to"]]
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still queued on the month's rows would forbid the DROP.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP TABLE {_q(part.name)}")
        archived = ArchivedPartition.objects.create(
            table=part.table,
            partition=part.name,
            range_start=part.start,
            range_end=part.end,
            rows=len(ids),
            file=str(path),
            sha256=sha256,
            manifest=manifest,
            manifest_sha256=manifest_sha,
            leaf_from=ledger.get("leaf_from"),
            leaf_to=ledger.get("leaf_to"),
            entry_id_min=min(ids) if ledger else None,
            entry_id_max=max(ids) if ledger else None,
            archived_at=clock.now(),
        )
        _record(LedgerVerb.PARTITION_ARCHIVED, part.name, payload)
    return archived


def _dump(partition: str, path: Path) -> tuple[list[int], str]:
    """Write the table's rows to `path` durably; their ids and the file's SHA-256."""
    ids: list[int] = []

    def chunks() -> Iterator[bytes]:
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
            for line, row_id in _rows(partition):
                out.write(line)
                ids.append(row_id)
                if buffer.tell() > 1 << 20:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    return ids, _write_durably(path, chunks())


def _write_durably(path: Path, chunks: Iterable[bytes]) -> str:
    """Write to a temporary name, fsync, rename, fsync the directory; the SHA-256 written.
    An existing file is kept only if it holds exactly these bytes (a resumed run writes the
    same bytes again); anything else there is refused, never overwritten."""
    temporary = path.with_name(path.name + ".partial")
    digest = hashlib.sha256()
    with temporary.open("wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    sha256 = digest.hexdigest()
    if path.exists():
        if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
            temporary.unlink()
            raise Conflict(f"归档文件 {path} 已存在且内容不同，拒绝覆盖；请核对该文件。")
        temporary.unlink()
        return sha256
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return sha256


def _rows(partition: str) -> Iterator[tuple[bytes, int]]:
    """The partition's rows as JSON lines, by id, a chunk at a time."""
    last = None
    with connection.cursor() as cursor:
        while True:
            where = "" if last is None else "WHERE id > %s "
            cursor.execute(
                f"SELECT id, row_to_json(p)::text FROM {_q(partition)} p {where}ORDER BY id LIMIT {_CHUNK}",  # noqa: S608
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
            for row_id, text in rows:
                yield text.encode() + b"\n", row_id
            if len(rows) < _CHUNK:
                return
            last = rows[-1][0]


def _ledger_facts(partition: str) -> dict[str, Any]:
    """Leaf range, frontier at its end and the leaf hashes to keep as level-0 nodes."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(leaf_index), max(leaf_index) FROM {_q(partition)}")  # noqa: S608
        low, high = cursor.fetchone()
    end = high + 1
    suite = log_hash_suite()
    sizes = set(Checkpoint.objects.filter(tree_size__gt=low, tree_size__lte=end).values_list("tree_size", flat=True))
    wanted = sorted({size - 1 for size in sizes | {end} if size % 2})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT leaf_index, leaf_hash FROM {_q(partition)} WHERE leaf_index = ANY(%s)",  # noqa: S608
            [wanted],
        )
        kept = {str(index): bytes(h).hex() for index, h in sorted(cursor.fetchall())}
    # Level-0 nodes: the only leaf hashes of an archived month ever stored; stored before the
    # frontier is read, since a detached month's leaves are no longer seen through the table.
    wanted_nodes = {int(i): bytes.fromhex(h) for i, h in kept.items()}
    present = set(Node.objects.filter(level=0, index__in=wanted_nodes).values_list("index", flat=True))
    Node.objects.bulk_create(Node(level=0, index=i, hash=h) for i, h in wanted_nodes.items() if i not in present)
    frontier = TreeAppender.from_reader(suite, DatabaseNodeReader(), end).frontier
    return {
        "leaf_from": low,
        "leaf_to": end,
        "hash": suite.name,
        "frontier": [h.hex() for h in frontier],
        "kept_leaf_hashes": kept,
    }


def _record(verb: LedgerVerb, partition: str, payload: dict[str, Any]) -> None:
    entry = ledger_append(kind=f"{Domain.LEDGER}.{verb}", subject=f"partition:{partition}", payload=payload)
    LedgerEvent.objects.create(
        verb=verb, subject=f"partition:{partition}", payload=payload, at=entry.created_at, ledger_entry_id=entry.pk
    )


def read_archive_file(path: Path, expected_sha256: str) -> list[dict[str, Any]]:
    """The rows of an archive file, after checking its SHA-256 (raises Conflict if it differs)."""
    if not path.is_file():
        raise Conflict(f"归档文件 {path} 不存在。")
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != expected_sha256:
        raise Conflict(f"归档文件 {path} 的 SHA-256 为 {found}，清单记录为 {expected_sha256}：文件被改动或损坏。")
    return [json.loads(line) for line in gzip.decompress(data).splitlines() if line]


def partition_restore(*, manifest_path: Path) -> int:
    """Re-attach an archived month from its manifest and file; returns the rows restored."""
    _require_postgresql()
    manifest_bytes = manifest_path.read_bytes()
    manifest = json.loads(manifest_bytes)
    if manifest.get("format") != FORMAT:
        raise ValidationFailed({"manifest": [f"不是分区归档清单（format 应为 {FORMAT}）。"]})
    archived = ArchivedPartition.objects.filter(partition=manifest["partition"]).first()
    if archived is None:
        raise Conflict(f"分区 {manifest['partition']} 没有归档记录（已恢复过，或清单不属于此数据库）。")
    if hashlib.sha256(manifest_bytes).hexdigest() != archived.manifest_sha256:
        raise Conflict(f"清单 {manifest_path} 与归档时记录的清单 SHA-256 不符：清单被改动。")
    later = ArchivedPartition.objects.filter(table=archived.table, range_start__gt=archived.range_start)
    if archived.table == ENTRY_TABLE and later.exists():
        raise Conflict("账本分区须从最晚归档的月份开始恢复（已归档的部分必须保持为账本前缀）。")
    rows = read_archive_file(manifest_path.parent / manifest["file"], archived.sha256)
    table, name = archived.table, archived.partition
    column = partitioned_tables()[table]
    bounds = [local_midnight(archived.range_start), local_midnight(archived.range_end)]
    default, within = _q(table + DEFAULT_SUFFIX), f"{_q(column)} >= %s AND {_q(column)} < %s"
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            # Rows written for the month after it left wait in DEFAULT; they join it again.
            cursor.execute(f"CREATE TEMP TABLE late ON COMMIT DROP AS SELECT * FROM {default} WHERE {within}", bounds)  # noqa: S608
            cursor.execute(f"DELETE FROM {default} WHERE {within}", bounds)  # noqa: S608
            cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)", bounds)
            cursor.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM late")  # noqa: S608
            cursor.execute("DROP TABLE late")
            for start in range(0, len(rows), _CHUNK):
                cursor.execute(
                    f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE "  # noqa: S608 - catalogue names
                    f"SELECT * FROM json_populate_recordset(NULL::{_q(table)}, %s::json)",
                    [json.dumps(rows[start : start + _CHUNK])],
                )
        payload = {"table": table, "partition": name, "rows": len(rows), "sha256": archived.sha256}
        archived.delete()
        _record(LedgerVerb.PARTITION_RESTORED, name, payload)
    return len(rows)
