"""考评 schemes as data (docs/supervision.md "考评", ADR 0019).

An `EvaluationScheme` is a code ("KP-DEPT"), a name and what it ranks (departments or
regions). What it scores exactly is in its `SchemeVersion` rows: the indicators chosen from
the catalogue in code (`evaluation.INDICATORS`, where the formulas are), each with its weight
(the weights add up to 100) and, for a capped indicator, its target; and the month from which
the version applies. A month is scored with the published version of the latest
`valid_from` not after it; publishing writes the canonical content and its hash to the ledger,
so anyone can check which weights ranked them.
"""

from django.db import models

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.supervision.rule_workflow import VersionStatus

__all__ = ["EvaluationScheme", "SchemeSubject", "SchemeVersion"]


class SchemeSubject(models.TextChoices):
    DEPARTMENT = "department", "部门"
    REGION = "region", "区划"


class EvaluationScheme(models.Model):
    code = models.CharField("方案编号", max_length=12, unique=True)
    name = models.CharField("方案名称", max_length=60)
    subject = models.CharField("考评对象", max_length=12, choices=SchemeSubject.choices)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "考评方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SchemeVersion(models.Model):
    scheme = models.ForeignKey(
        EvaluationScheme, on_delete=models.PROTECT, related_name="versions", verbose_name="考评方案"
    )
    number = models.PositiveIntegerField("版本号")
    indicators = models.JSONField("指标", default=list, help_text='[{"key": …, "weight": 15, "target": 50.0}]')
    valid_from = models.DateField("起始月份", help_text="该月 1 日")
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices)
    note = models.CharField("修订说明", max_length=200, blank=True)
    drafted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )
    drafted_at = models.DateTimeField("起草时间")
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="发布人"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    retired_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="停用人"
    )
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    content_hash = models.CharField("内容摘要（SHA-256）", max_length=64, blank=True)
    ledger_entry_id = models.BigIntegerField("发布账本条目", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考评方案版本"
        ordering = ["scheme__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="scheme_version_number"),
            models.UniqueConstraint(
                fields=["scheme", "valid_from"],
                condition=models.Q(status="published"),
                name="scheme_one_published_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.number}"

    @property
    def has_begun(self) -> bool:
        """Whether its first month has begun: a month begun keeps its scheme (neither a new
        version for it nor retiring the version in force may change its scores, which anyone
        can already watch accrue on the board)."""
        return self.valid_from <= clock.today().replace(day=1)
