"""Storage of the Merkle log (RFC 9162) in the platform database.

`Entry` rows are appended *pending* (leaf_index NULL) inside the business transaction; the
single integrator assigns leaf indices in id order, stores the complete perfect subtrees
(`Node`) and signs a `Checkpoint`. Entries and nodes are never updated after integration;
`yiwang ledger audit` recomputes everything from the entries to prove it.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from yiwang.ledger.events import Domain, EventType, event_type


class Entry(models.Model):
    kind = models.CharField("事件类型", max_length=60)
    subject = models.CharField("对象", max_length=120, db_index=True)
    leaf = models.TextField("叶子（规范化 JSON）")
    leaf_hash = models.BinaryField("叶子哈希", max_length=64)
    # Not unique in the database: a partitioned table's unique indexes must hold the partition
    # key (created_at). The single integrator hands out leaf indexes under its lock and the
    # audit checks they run 0..n-1 with no gap or repeat (ADR 0034).
    leaf_index = models.BigIntegerField("叶子序号", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("写入时间")
    integrated_at = models.DateTimeField("上链时间", null=True, blank=True)

    class Meta:
        verbose_name = "账本条目"
        verbose_name_plural = "账本条目"
        indexes = [
            models.Index(fields=["id"], condition=models.Q(leaf_index__isnull=True), name="ledger_entry_pending")
        ]

    def __str__(self) -> str:
        return f"#{self.leaf_index if self.leaf_index is not None else '待上链'} {self.kind} {self.subject}"


class EntrySalt(models.Model):
    """The salts behind an entry's personal-data commitments, kept off the public log.

    Deleting a row (erasure) leaves the log verifiable while the commitment can no longer be
    linked to the person.
    """

    # No database constraint: ledger_entry is partitioned by month, so its key is (id, created_at)
    # and nothing can reference `id` alone. Salts are written with their entry (services) and
    # outlive an archived entry on purpose: erasure keeps working on archived leaves.
    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, related_name="salt", primary_key=True, db_constraint=False
    )
    salts = models.JSONField(default=dict)

    class Meta:
        verbose_name = "个人数据承诺盐值"
        verbose_name_plural = "个人数据承诺盐值"

    def __str__(self) -> str:
        return f"salts of entry {self.entry_id}"


class Node(models.Model):
    """A complete perfect subtree: (level, index) covers leaves [index·2^level, (index+1)·2^level).

    Only interior nodes (level ≥ 1) are stored; level 0 is `Entry.leaf_hash` by leaf_index.
    """

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=64)

    class Meta:
        verbose_name = "树节点"
        verbose_name_plural = "树节点"
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="ledger_node_unique")]

    def __str__(self) -> str:
        return f"node ({self.level}, {self.index})"


class Checkpoint(models.Model):
    tree_size = models.BigIntegerField("树大小", unique=True)
    root_hash = models.BinaryField("根哈希", max_length=64)
    note = models.TextField("签名检查点（C2SP signed note）")
    created_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = "检查点"
        verbose_name_plural = "检查点"
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"检查点 size={self.tree_size}"


class LogHead(models.Model):
    """The integrator's lock and bookmark: one row, locked while a batch is integrated."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    tree_size = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "账本头"
        verbose_name_plural = "账本头"

    def __str__(self) -> str:
        return f"log head size={self.tree_size}"


class DomainEvent(models.Model):
    """What every domain's event row has: a catalogued verb, who, what, when, its ledger entry.

    Concrete tables (`CaseEvent`, `CatalogEvent`, `AccountEvent`, `CalendarEvent`) set
    `domain`, add their own subject (`subject_field` names it) and their verbose name in
    `class Meta(DomainEvent.Meta)`; they list newest first unless they say otherwise. A verb
    missing from the catalogue (events.py) refuses to save.
    """

    domain: ClassVar[Domain]
    subject_field: ClassVar[str] = "subject"

    verb = models.CharField("动作", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    payload = models.JSONField("内容", default=dict)
    at = models.DateTimeField("时间")
    ledger_entry_id = models.BigIntegerField("账本条目", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {getattr(self, self.subject_field)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        event_type(self.domain, self.verb)  # loud on an uncatalogued verb
        super().save(*args, **kwargs)

    @property
    def event_type(self) -> EventType:
        return event_type(self.domain, self.verb)

    @property
    def label(self) -> str:
        return self.event_type.label


class LedgerEvent(DomainEvent):
    """The ledger's own state changes: a monthly partition archived or restored (ADR 0034)."""

    domain = Domain.LEDGER

    subject = models.CharField("对象", max_length=120, db_index=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "账本事件"


class ArchivedPartition(models.Model):
    """A month of a partitioned table detached to an archive file (ledger.archive, ADR 0034).

    For `ledger_entry` it records the leaf indexes [leaf_from, leaf_to) the file holds and
    the frontier (compact range) of the tree at leaf_to, from which the audit continues."""

    table = models.CharField("表", max_length=63)
    partition = models.CharField("分区", max_length=63, unique=True)
    range_start = models.DateField("起（含）")
    range_end = models.DateField("止（不含）")
    rows = models.BigIntegerField("行数")
    file = models.CharField("归档文件", max_length=500)
    sha256 = models.CharField("归档文件 SHA-256", max_length=64)
    manifest = models.JSONField("清单", default=dict)
    manifest_sha256 = models.CharField("清单 SHA-256", max_length=64)
    leaf_from = models.BigIntegerField("首叶子序号", null=True, blank=True)
    leaf_to = models.BigIntegerField("末叶子序号（不含）", null=True, blank=True)
    entry_id_min = models.BigIntegerField("最小条目编号", null=True, blank=True)
    entry_id_max = models.BigIntegerField("最大条目编号", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间")

    class Meta:
        verbose_name = verbose_name_plural = "已归档分区"
        ordering = ["table", "range_start"]

    def __str__(self) -> str:
        return f"{self.partition} → {self.file}"
