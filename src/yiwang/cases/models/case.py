import uuid
from typing import Any

from django.db import models

from yiwang.accounts.models import Department, Enterprise, Region, User
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog.models import ImplementationVersion
from yiwang.ledger.events import CATALOGUE, Domain
from yiwang.ledger.models import DomainEvent


class DeliveryMethod(models.TextChoices):
    ELECTRONIC = "electronic", "电子送达"
    PICKUP = "pickup", "窗口领取"
    MAIL = "mail", "邮寄送达"


class Decision(models.TextChoices):
    NONE = "", "—"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"


class ClockOwner:
    """A model with a clock ledger. Services keep the ledger they read on the instance
    (cases.deadlines); refreshing the instance from the database drops it too."""

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.pop("_clock_entries", None)
        super().refresh_from_db(*args, **kwargs)  # type: ignore[misc]


_SUBMITTED = models.Q(submitted_at__isnull=False)


class Case(ClockOwner, models.Model):
    """One application (办件), pinned to the implementation version it was filed under.

    `status`, `due_date`, `committed_due_date` and `warning_date` are denormalised for
    queries; services recompute them from the event rows and the clock ledger in the same
    transaction that changes them. Never edit them by hand (the admin is read-only).
    """

    ref = models.UUIDField("内部编号", default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("办件编号", max_length=32, unique=True, null=True, blank=True)
    implementation_version = models.ForeignKey(
        ImplementationVersion, on_delete=models.PROTECT, related_name="cases", verbose_name="实施清单版本"
    )
    # Not indexed alone: the indexes below lead with them.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", verbose_name="实施主体", db_index=False
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cases", verbose_name="实施区划", db_index=False
    )
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cases", verbose_name="申请人")
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name="申请企业"
    )
    # 异地代收代办: the window of another region the applicant hands in at (its clerks see the
    # case and hand it over; see Handover). Null for an application made to the authority itself.
    intake_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_cases",
        verbose_name="收件窗口（异地代收）",
    )
    status = models.CharField(
        "状态", max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT, db_index=True, editable=False
    )
    form_data = models.JSONField("申请表", default=dict)
    idempotency_key = models.CharField("提交幂等键", max_length=100, blank=True, default="")
    # SHA-256 of what the submission carried (services.submission): the same key with another
    # payload is a conflict, not a replay. Empty for cases submitted before it was recorded.
    idempotency_fingerprint = models.CharField("提交请求指纹", max_length=64, blank=True, default="", editable=False)
    delivery_method = models.CharField(
        "送达方式", max_length=12, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )
    delivery_address = models.CharField("邮寄地址", max_length=300, blank=True)
    commitment_signed_at = models.DateTimeField("签署告知承诺书时间", null=True, blank=True)
    commitment_text = models.TextField("签署的承诺书文本", blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    received_on = models.DateField("收件日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    deemed_accepted = models.BooleanField("视为受理", default=False)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    refusal_basis = models.TextField("不予受理依据", blank=True)
    decision = models.CharField("审批决定", max_length=10, choices=Decision.choices, blank=True, default="")
    decision_opinion = models.TextField("决定意见/理由", blank=True)
    decision_basis = models.TextField("决定依据", blank=True)
    decision_remedies = models.JSONField("救济途径", default=list, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="决定人"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by_rule = models.CharField("秒批规则", max_length=80, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    delivery_reference = models.CharField("送达凭据", max_length=120, blank=True, help_text="邮件单号、领取签收等")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    due_date = models.DateField("法定办结日期", null=True, blank=True, db_index=True, editable=False)
    committed_due_date = models.DateField("承诺办结日期", null=True, blank=True, editable=False)
    warning_date = models.DateField("预警日期", null=True, blank=True, editable=False)
    warning_sent_for = models.DateField("已预警（对应办结日期）", null=True, blank=True, editable=False)
    overdue_sent_for = models.DateField("已超期提醒（对应办结日期）", null=True, blank=True, editable=False)
    # A part of a bundle application (一件事): the bundle and the member it implements.
    bundle = models.ForeignKey(
        "cases.BundleCase", null=True, blank=True, on_delete=models.PROTECT, related_name="parts", verbose_name="一件事"
    )
    bundle_member = models.CharField("一件事成员", max_length=40, blank=True, default="")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_unique_idempotency_key",
            )
        ]
        indexes = [
            # 办件查询 (cases.case_list): each branch of a staff member's scope reads its newest
            # cases through one of these, with a status chosen through the first two (bench at
            # 1,000,000 cases: a page 1.1–4.2 s -> 2–40 ms); the first two serve counts by status.
            models.Index(fields=["department", "status", "submitted_at", "id"], name="case_department_status"),
            models.Index(fields=["region", "status", "submitted_at", "id"], name="case_region_status"),
            models.Index(
                fields=["department", "submitted_at", "id"], condition=_SUBMITTED, name="case_department_submitted"
            ),
            models.Index(fields=["region", "submitted_at", "id"], condition=_SUBMITTED, name="case_region_submitted"),
            models.Index(fields=["submitted_at", "id"], condition=_SUBMITTED, name="case_submitted"),
            # The intake window's list (异地代收代办): its cases, whatever their state.
            models.Index(
                fields=["intake_department", "submitted_at", "id"],
                condition=models.Q(intake_department__isnull=False),
                name="case_intake_window",
            ),
            models.Index(fields=["status", "warning_date"], name="case_status_warning"),
            models.Index(fields=["status", "received_on"], name="case_status_received"),
            # 电子监察's red and yellow cards: cases in review past (or near) their committed date
            models.Index(fields=["status", "committed_due_date"], name="case_status_committed_due"),
            # The window's intake queue, oldest first (bench at 1,000,000 cases: 81 ms -> 0.4 ms);
            # with the scope's columns included (PostgreSQL) the queue's count reads only the index.
            models.Index(
                fields=["submitted_at", "id"],
                include=["department", "region"],
                condition=models.Q(status__in=["submitted", "supplement_requested"]),
                name="case_intake_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿 {self.ref}"

    @property
    def label(self) -> str:
        return self.number or "草稿"

    @property
    def subject(self) -> str:
        """The ledger subject of this case."""
        return f"case:{self.number}" if self.number else f"draft:{self.ref}"


# The case verbs 阳光审批公示 discloses (the event catalogue decides). Their events carry the
# filtered page's selection (cases.disclosure), hence the partial indexes of CaseEvent; a
# catalogue change shows up in `makemigrations --check` as a new condition of those indexes.
DISCLOSED_VERBS = sorted(str(ev.verb) for ev in CATALOGUE.values() if ev.disclosed and ev.domain == Domain.CASES)
_DISCLOSED = models.Q(verb__in=DISCLOSED_VERBS)


class CaseEvent(DomainEvent):
    """One thing that happened to a case: who, what, why, when — the case's history.

    `summary` is the plain-Chinese line of the timeline. Whether the applicant sees it
    comes from the verb's row in the event catalogue (yiwang.ledger.events), which also
    explains why no `public` flag is stored.
    """

    domain = Domain.CASES
    subject_field = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name="办件")
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24, blank=True)
    actor_role = models.CharField("身份", max_length=20, blank=True)
    summary = models.CharField("说明", max_length=500)
    reason = models.TextField("理由", blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "办件事件"
        ordering = ["at", "id"]  # a case's history reads oldest first
        # 阳光审批公示 filtered (cases.disclosure; EXPLAIN in docs/ledger.md): the decisions only,
        # from the matching cases (by case), by decision day (at), newest first (entry id).
        indexes = [
            models.Index(
                fields=["case"],
                include=["ledger_entry_id", "at"],
                condition=_DISCLOSED,
                name="caseevent_disclosed_case",
            ),
            models.Index(
                fields=["at"], include=["ledger_entry_id", "case"], condition=_DISCLOSED, name="caseevent_disclosed_at"
            ),
            models.Index(
                fields=["ledger_entry_id"],
                include=["case", "at"],
                condition=_DISCLOSED,
                name="caseevent_disclosed_entry",
            ),
        ]


class CaseNumberCounter(models.Model):
    """The last sequence number given out per region and day (see numbering.py)."""

    prefix = models.CharField("区划-日期", max_length=20, unique=True)
    last_value = models.PositiveIntegerField("已用序号")

    class Meta:
        verbose_name = "办件编号计数器"
        verbose_name_plural = "办件编号计数器"

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_value}"
