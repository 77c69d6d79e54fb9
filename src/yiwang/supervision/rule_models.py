"""电子监察 rules, their hits and 督办 (docs/supervision.md, "Monitoring rules and 督办").

A `MonitoringRule` is a code ("JC-01") bound to one rule kind implemented in code
(`rule_kinds.KINDS`); what it looks for exactly is in its `RuleVersion` rows: params, the
severity and the days a department has to answer a 督办. Exactly one version of a rule is in
force at a time; publishing writes the version to the ledger, and every `RuleHit` names the
version that fired, so anyone can check which rules were in force. A hit is idempotent per
(rule, key): the key names the case event that triggered it, or the department and week of a
periodic rule. A `SupervisionNotice` (督办) goes from a supervisor to a department.
"""

from django.db import models

from yiwang.accounts.models import Department, Region, User
from yiwang.cases.models import Case, CaseEvent
from yiwang.ledger.events import Domain, SupervisionVerb
from yiwang.ledger.models import DomainEvent
from yiwang.supervision.rule_workflow import NoticeStatus, VersionStatus

__all__ = [
    "DueDateSeen",
    "MonitoringRule",
    "RuleHit",
    "RuleVersion",
    "Severity",
    "SupervisionEvent",
    "SupervisionNotice",
]


class Severity(models.TextChoices):
    YELLOW = "yellow", "黄色"
    RED = "red", "红色"


class MonitoringRule(models.Model):
    code = models.CharField("规则编号", max_length=10, unique=True)
    name = models.CharField("规则名称", max_length=60)
    kind = models.CharField("规则类型", max_length=40)
    watches = models.CharField("监察内容", max_length=200)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="监察范围",
        help_text="the region and those below it whose cases the rule watches; none: the whole platform",
    )
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "监察规则"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RuleVersion(models.Model):
    rule = models.ForeignKey(MonitoringRule, on_delete=models.PROTECT, related_name="versions", verbose_name="规则")
    number = models.PositiveIntegerField("版本号")
    params = models.JSONField("参数", default=dict)
    severity = models.CharField("等级", max_length=6, choices=Severity.choices)
    response_days = models.PositiveSmallIntegerField("督办答复期限（工作日）", default=3)
    status = models.CharField("状态", max_length=10, choices=VersionStatus.choices)
    note = models.CharField("修订说明", max_length=200, blank=True)
    drafted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField("起草时间")
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="发布人"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    ledger_entry_id = models.BigIntegerField("发布账本条目", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "监察规则版本"
        ordering = ["rule__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="rule_version_number"),
            models.UniqueConstraint(
                fields=["rule"], condition=models.Q(status="published"), name="rule_one_published_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} v{self.number}"


class RuleHit(models.Model):
    rule = models.ForeignKey(MonitoringRule, on_delete=models.PROTECT, related_name="hits", verbose_name="规则")
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="hits", verbose_name="命中的规则版本"
    )
    key = models.CharField("命中标识", max_length=80, help_text="event:<id> / department:<id>/week:<iso>")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="rule_hits", verbose_name="办件"
    )
    # No database constraint: cases_caseevent is partitioned by month (its key is (id, at),
    # ADR 0034); the rule engine writes the hit with the event it saw.
    trigger = models.ForeignKey(
        CaseEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="触发事件",
        db_constraint=False,
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    found_at = models.DateTimeField("发现时间")
    facts = models.JSONField("命中事实", default=dict)
    summary = models.CharField("说明", max_length=300)
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = verbose_name_plural = "规则命中"
        ordering = ["-found_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="rule_hit_once")]
        indexes = [models.Index(fields=["department", "found_at"], name="rule_hit_department")]

    def __str__(self) -> str:
        return f"{self.rule_version} @{self.key}"


class SupervisionNotice(models.Model):
    """督办: a supervisor asks a department to put something right and say what was done."""

    hit = models.ForeignKey(
        RuleHit, null=True, blank=True, on_delete=models.PROTECT, related_name="notices", verbose_name="规则命中"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="办件"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="督办部门")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    subject = models.CharField("督办主题", max_length=60, blank=True)
    text = models.TextField("督办事项")
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices)
    response_days = models.PositiveSmallIntegerField("答复期限（工作日）")
    deadline = models.DateField("答复期限", db_index=True)
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="督办人")
    sent_at = models.DateTimeField("发出时间")
    answer = models.TextField("答复（整改情况）", blank=True)
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="答复人"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="办结人"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="升级至"
    )
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="notice_department_status")]

    def __str__(self) -> str:
        return f"督办 DB-{self.pk}"

    @property
    def code(self) -> str:
        return f"DB-{self.pk}"


class DueDateSeen(models.Model):
    """The last due date the monitoring observer saw on a case, and whether the event it saw
    may move it (acceptance, resumption, extension…); for `due_date_moved_without_extension`."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField("法定办结日期", null=True, blank=True)
    excused = models.BooleanField("其后可合法变动", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "办结日期观察"

    def __str__(self) -> str:
        return f"{self.case_id}: {self.due_date}"


class SupervisionEvent(DomainEvent):
    """The history of rules, hits and 督办; each row mirrored into the ledger."""

    domain = Domain.SUPERVISION
    subject_field = "subject"

    subject = models.CharField("对象", max_length=80, help_text="rule:<code>/v<n> / hit:<id> / notice:<id>")
    rule_version = models.ForeignKey(
        RuleVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="规则版本"
    )
    hit = models.ForeignKey(
        RuleHit, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="规则命中"
    )
    notice = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="督办"
    )
    reason = models.TextField("说明", blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "电子监察事件"
        indexes = [  # the public /data/ page's published months (publication.publications), not a scan
            models.Index(
                fields=["-subject", "-id"],
                name="supervision_event_figures",
                condition=models.Q(
                    verb__in=[str(SupervisionVerb.FIGURES_PUBLISHED), str(SupervisionVerb.FIGURES_CORRECTED)]
                ),
            )
        ]
