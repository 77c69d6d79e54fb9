"""A bundle application (一件事办件): one form, one set of uploads, one receipt, linked part cases.

Each part is an ordinary `Case` (its own department, clock, permissions, events, ledger
entries) whose `bundle` points here; `status` is derived from the parts (bundle_workflow).
Uploads are stored once (`BundleUpload`, content-addressed like case materials) and
attached to every part that needs them by a `CaseMaterial` row naming the same stored file.
"""

import uuid

from django.db import models

from yiwang.accounts.models import Enterprise, User
from yiwang.cases.bundle_workflow import BundleStatus
from yiwang.catalog.models import BundleVersion
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class BundleCase(models.Model):
    ref = models.UUIDField("内部编号", default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("一件事受理编号", max_length=40, unique=True, null=True, blank=True)
    bundle_version = models.ForeignKey(
        BundleVersion, on_delete=models.PROTECT, related_name="cases", verbose_name="一件事版本"
    )
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="bundle_cases", verbose_name="申请人")
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="申请企业"
    )
    status = models.CharField(
        "状态", max_length=12, choices=BundleStatus.choices, default=BundleStatus.DRAFT, editable=False
    )
    form_data = models.JSONField("合并申请表", default=dict)
    idempotency_key = models.CharField("提交幂等键", max_length=100, blank=True, default="")
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    delivered_at = models.DateTimeField("统一送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事办件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="bundle_case_unique_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"一件事草稿 {self.ref}"

    @property
    def subject(self) -> str:
        return f"bundle_case:{self.number}" if self.number else f"bundle_draft:{self.ref}"


class BundleUpload(models.Model):
    """One merged material uploaded once for a bundle (a newer upload supersedes the older)."""

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="uploads")
    material_key = models.CharField("合并材料标识", max_length=40)
    material_name = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    storage_name = models.CharField("存储位置", max_length=255)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")
    superseded_at = models.DateTimeField("被替换时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事材料文件"
        ordering = ["bundle_case", "material_key", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.material_name}: {self.original_name}"


class BundleCaseEvent(DomainEvent):
    """What happened to a bundle application as a whole (its parts keep their own events)."""

    domain = Domain.CASES
    subject_field = "bundle_case"

    bundle_case = models.ForeignKey(BundleCase, on_delete=models.CASCADE, related_name="events")
    summary = models.CharField("说明", max_length=500)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "一件事办件事件"
        ordering = ["at", "id"]
