"""Data sharing (数据共享): the resource catalogue, consumers' demands, the grants they earn.

A **data resource** is published by the providing department's data steward: its fields
(each with a type and a sensitivity), its sharing class (无条件 / 有条件 / 不予共享 with the
legal basis for the last), how often it is updated and the system that serves it. A
consuming department files a **demand** naming the resource, the fields, the purpose, the
legal basis and the items it serves; the provider answers within the configured working
days. An approved demand is a **grant**: resource, fields, purpose, consumer, validity.
Every change is an `ExchangeEvent` with a ledger entry (docs/exchange.md).
"""

from django.db import models

from yiwang.accounts.models import Department
from yiwang.exchange.workflow import DemandStatus, GrantStatus, ResourceStatus
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class SharingClass(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NOT_SHARED = "not_shared", "不予共享"


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    YEARLY = "yearly", "每年"


class FieldType(models.TextChoices):
    STRING = "string", "字符串"
    DATE = "date", "日期"
    INTEGER = "integer", "整数"
    BOOLEAN = "boolean", "是/否"


class Sensitivity(models.TextChoices):
    PUBLIC = "public", "公开"
    INTERNAL = "internal", "内部"
    PERSONAL = "personal", "个人信息"
    SENSITIVE = "sensitive", "敏感个人信息"


class DataResource(models.Model):
    code = models.CharField("资源代码", max_length=60, unique=True)
    name = models.CharField("资源名称", max_length=100)
    provider = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="data_resources", verbose_name="提供部门"
    )
    description = models.TextField("资源摘要", max_length=2000, blank=True)
    fields = models.JSONField("信息项", default=list, help_text='[{"key", "label", "type", "sensitivity"}]')
    sharing_class = models.CharField("共享类型", max_length=16, choices=SharingClass.choices)
    not_shared_basis = models.CharField("不予共享依据", max_length=500, blank=True)
    update_frequency = models.CharField("更新周期", max_length=10, choices=UpdateFrequency.choices)
    system = models.CharField("提供系统", max_length=60, help_text="提供数据的系统（适配器）代码")
    status = models.CharField("状态", max_length=12, choices=ResourceStatus.choices)
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = verbose_name_plural = "数据资源"
        ordering = ["provider_id", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def field_keys(self) -> list[str]:
        return [field["key"] for field in self.fields]


class DemandSerial(models.Model):
    """The last demand number of a year (需求编号 XQ2026-000123)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    last_value = models.PositiveIntegerField("已用序号", default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Demand(models.Model):
    number = models.CharField("需求编号", max_length=20, unique=True)
    resource = models.ForeignKey(
        DataResource, on_delete=models.PROTECT, related_name="demands", verbose_name="数据资源"
    )
    consumer = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="data_demands", verbose_name="需求部门"
    )
    fields = models.JSONField("申请信息项", default=list)
    purpose = models.CharField("用途", max_length=500)
    legal_basis = models.CharField("依据", max_length=500)
    items = models.JSONField("服务事项（基本编码）", default=list)
    valid_until = models.DateField("申请使用期限至", null=True, blank=True, help_text="空为长期")
    filed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    filed_at = models.DateTimeField("提出时间")
    due_on = models.DateField("答复期限")
    status = models.CharField("状态", max_length=12, choices=DemandStatus.choices)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.CharField("答复意见", max_length=1000, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享需求"
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="demand_status_due")]

    def __str__(self) -> str:
        return self.number


class Grant(models.Model):
    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="grants", verbose_name="数据资源")
    consumer = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="data_grants", verbose_name="使用部门"
    )
    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="grant", verbose_name="共享需求")
    fields = models.JSONField("授权信息项", default=list)
    purpose = models.CharField("用途", max_length=500)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="空为长期")
    status = models.CharField("状态", max_length=12, choices=GrantStatus.choices)
    status_since = models.DateTimeField("状态变更时间")

    class Meta:
        verbose_name = verbose_name_plural = "共享授权"
        ordering = ["-status_since", "-id"]
        indexes = [models.Index(fields=["consumer", "resource", "status"], name="grant_consumer_resource")]

    def __str__(self) -> str:
        return f"{self.resource.name} → {self.consumer.name}"


class ExchangeEvent(DomainEvent):
    """The history of resources, demands and grants; each row mirrored into the ledger."""

    domain = Domain.EXCHANGE
    subject_field = "subject"

    subject = models.CharField("对象", max_length=80, help_text="resource:<code> / demand:<number> / grant:<id>")
    resource = models.ForeignKey(DataResource, on_delete=models.CASCADE, related_name="events", verbose_name="数据资源")
    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="共享需求"
    )
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.CASCADE, related_name="events", verbose_name="共享授权"
    )
    reason = models.CharField("理由", max_length=1000, blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "数据共享事件"


class ReadOutcome(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"


class DataRead(models.Model):
    """One read of shared data (数据使用记录): who read what about whom, why, and how it went.
    Written once, with its ledger entry, and never changed; the subject sees it on 我的数据使用记录."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reads", verbose_name="共享授权")
    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="+", verbose_name="数据资源")
    consumer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="使用部门")
    fields = models.JSONField("读取信息项", default=list)
    purpose = models.CharField("用途", max_length=500)
    reference = models.CharField("关联办件", max_length=40, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    client = models.ForeignKey(
        "exchange.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reads",
        verbose_name="接口客户端",
        help_text="读取由其他系统通过开放接口发起时",
    )
    subject_user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_reads",
        verbose_name="数据主体（自然人）",
    )
    subject_enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_reads",
        verbose_name="数据主体（法人）",
    )
    outcome = models.CharField("结果", max_length=8, choices=ReadOutcome.choices)
    failure = models.CharField("失败原因", max_length=300, blank=True)
    digest = models.CharField("内容摘要（SHA-256）", max_length=64, blank=True)
    at = models.DateTimeField("读取时间")
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = verbose_name_plural = "共享数据读取记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_user", "-at"], name="read_subject_user"),
            models.Index(fields=["subject_enterprise", "-at"], name="read_subject_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.consumer_id} {self.resource_id}"


# API clients, subscriptions and webhook deliveries live in their own module (issue 13).
from yiwang.exchange.client_models import ApiClient, ClientEvent, Subscription, WebhookDelivery  # noqa: E402

__all__ = [
    "ApiClient",
    "ClientEvent",
    "DataRead",
    "DataResource",
    "Demand",
    "DemandSerial",
    "ExchangeEvent",
    "Grant",
    "Subscription",
    "WebhookDelivery",
]
