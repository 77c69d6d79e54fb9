"""好差评: ratings of concluded cases, the department's answer to bad ones, rectifications,
revisits and appeals (docs/ratings.md).

A `Rating` is written once with its ledger entry and never changed in what the rater said:
additions (追评) and the second rating of a rectification are rows and fields of their own,
each with an entry; the only column that moves is `handling` (workflow.py), and an upheld
appeal sets `excluded` — the rating stays, outside the figures.
"""

from django.db import models

from yiwang.accounts.models import Department, Region, User
from yiwang.cases.models import Case
from yiwang.catalog.models import Implementation, ImplementationVersion
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent
from yiwang.ratings.workflow import AppealStatus, Handling, ImprovementStatus


class Grade(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_GRADES = frozenset({Grade.DISSATISFIED, Grade.VERY_DISSATISFIED})


class Channel(models.TextChoices):
    """Where the rating was given. Online channels share one rating per case (一事一评);
    the hall tablet rates the on-site service act (一次一评); the 12345 hotline is recorded
    by staff for the applicant."""

    PC = "pc", "网上办事大厅"
    MOBILE = "mobile", "移动端"
    NOTICE_LINK = "notice_link", "办结通知链接"
    HALL_TABLET = "hall_tablet", "大厅评价器"
    HOTLINE = "hotline", "12345 热线"


ONLINE_CHANNELS = frozenset({Channel.PC, Channel.MOBILE, Channel.NOTICE_LINK})


def channel_family(channel: str) -> str:
    """The once-per-case family of a channel: `online`, `onsite` or `hotline`."""
    if channel in ONLINE_CHANNELS:
        return "online"
    return "onsite" if channel == Channel.HALL_TABLET else "hotline"


class Rating(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ratings", verbose_name="办件")
    implementation_version = models.ForeignKey(
        ImplementationVersion, on_delete=models.PROTECT, related_name="ratings", verbose_name="实施清单版本"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="ratings", verbose_name="办理部门"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="ratings", verbose_name="区划")
    rater = models.ForeignKey(User, on_delete=models.PROTECT, related_name="ratings", verbose_name="评价人")
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="代录人员"
    )
    channel = models.CharField("评价渠道", max_length=20, choices=Channel.choices)
    family = models.CharField("评价方式", max_length=10, editable=False)
    grade = models.PositiveSmallIntegerField("评价等级", choices=Grade.choices)
    tags = models.JSONField("评价标签", default=list)
    text = models.TextField("评价内容", blank=True)
    rated_at = models.DateTimeField("评价时间")
    handling = models.CharField("处理状态", max_length=12, choices=Handling.choices)
    response_due = models.DateField("核实处理期限", null=True, blank=True)
    response_overdue_noticed = models.BooleanField("已发超期提醒", default=False)
    excluded = models.BooleanField("申诉成立，不计入统计", default=False)
    second_grade = models.PositiveSmallIntegerField("整改评价", choices=Grade.choices, null=True, blank=True)
    second_text = models.TextField("整改评价内容", blank=True)
    second_rated_at = models.DateTimeField("整改评价时间", null=True, blank=True)
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = verbose_name_plural = "评价"
        ordering = ["-rated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "family"], name="rating_once_per_case_and_way")]
        indexes = [
            models.Index(fields=["department", "handling"], name="rating_department_handling"),
            models.Index(fields=["implementation_version", "rated_at"], name="rating_version_time"),
            models.Index(fields=["region", "rated_at"], name="rating_region_time"),
            # 主动评价率: does a case have a rating its party gave (selectors.figures)
            models.Index(
                fields=["case"], condition=models.Q(recorded_by__isnull=True, excluded=False), name="rating_self_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_grade_display()}"

    @property
    def is_bad(self) -> bool:
        return self.grade in BAD_GRADES


class Addition(models.Model):
    """追评: what the rater added within RATINGS_ADDITION_DAYS; the rating itself is unchanged."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="additions", verbose_name="评价")
    text = models.TextField("追评内容")
    at = models.DateTimeField("时间")
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = verbose_name_plural = "追评"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"追评 {self.rating_id}"


class Rectification(models.Model):
    """整改: opened on a bad review with a deadline of 5, 7 or 15 working days."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name="评价")
    plan = models.TextField("整改措施")
    days = models.PositiveSmallIntegerField("整改期限（工作日）")
    due_on = models.DateField("整改期限", db_index=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="启动人")
    opened_at = models.DateTimeField("启动时间")
    result = models.TextField("整改结果", blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="完成人"
    )
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    overdue_noticed = models.BooleanField("已发超期提醒", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "整改"

    def __str__(self) -> str:
        return f"整改 {self.rating_id}"


class Revisit(models.Model):
    """回访: staff called back the author of a real-name bad review."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="revisits", verbose_name="评价")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="回访人")
    way = models.CharField(
        "回访方式", max_length=10, choices=[("phone", "电话"), ("visit", "上门"), ("online", "在线")]
    )
    outcome = models.TextField("回访情况")
    at = models.DateTimeField("回访时间")

    class Meta:
        verbose_name = verbose_name_plural = "回访"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"回访 {self.rating_id}"


class Appeal(models.Model):
    """申诉复核: the rated department says a rating is mistaken or malicious; a supervisor decides."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals", verbose_name="评价")
    status = models.CharField("状态", max_length=10, choices=AppealStatus.choices)
    reason = models.TextField("申诉理由")
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="申诉人")
    filed_at = models.DateTimeField("申诉时间")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="复核人"
    )
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decision = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉复核"
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=models.Q(status="filed"), name="appeal_one_open_per_rating"
            )
        ]

    def __str__(self) -> str:
        return f"申诉 {self.rating_id} {self.get_status_display()}"


class NoticeToken(models.Model):
    """A one-time link standing for the applicant: in the conclusion notice, or shown on the
    hall tablet by the window clerk. Only the token's SHA-256 is kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rating_links", verbose_name="办件")
    channel = models.CharField("评价渠道", max_length=20, choices=Channel.choices)
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("生成时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价链接"
        constraints = [models.UniqueConstraint(fields=["case", "channel"], name="rating_link_per_case_channel")]

    def __str__(self) -> str:
        return f"评价链接 {self.case_id} {self.channel}"


class Improvement(models.Model):
    """服务改进: what bad reviews of an implementation show, answered by a catalog amendment."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.PROTECT, related_name="improvements", verbose_name="实施清单"
    )
    title = models.CharField("改进事项", max_length=100)
    finding = models.TextField("评价反映的问题")
    ratings = models.ManyToManyField(Rating, related_name="improvements", verbose_name="依据的差评")
    baseline = models.ForeignKey(
        ImplementationVersion, on_delete=models.PROTECT, related_name="+", verbose_name="改进前版本"
    )
    amendment = models.ForeignKey(
        ImplementationVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="改进版本",
    )
    status = models.CharField("状态", max_length=10, choices=ImprovementStatus.choices)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="提出人")
    opened_at = models.DateTimeField("提出时间")
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="办结人"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务改进"
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        """What the amendment's 调整理由 cites (GJ-<id>)."""
        return f"GJ-{self.pk}"


class RatingEvent(DomainEvent):
    """The history of ratings and improvements; each row mirrored into the ledger."""

    domain = Domain.RATINGS
    subject_field = "subject"

    subject = models.CharField("对象", max_length=80, help_text="rating:<id> / improvement:<id>")
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="评价"
    )
    improvement = models.ForeignKey(
        Improvement, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="服务改进"
    )
    reason = models.TextField("说明", blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "好差评事件"
