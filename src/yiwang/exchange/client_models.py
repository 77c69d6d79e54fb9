"""API clients (接口客户端) of other systems, their webhook subscriptions and the deliveries
owed to them (docs/exchange.md "API clients and webhooks"). Imported by `models.py`.

An **API client** is an OAuth 2.0 application of django-oauth-toolkit (client credentials
only; its secret hashed at rest) tied to the consuming **department** it reads for: it reads
under that department's grants. A **subscription** names an event kind, optionally one item
(基本编码), and the HTTPS address to push to. A **delivery** is an outbox row written in the
transaction of the event it reports and pushed afterwards, signed with the client's webhook
secret, retried with back-off.
"""

import uuid

from django.conf import settings
from django.db import models

from yiwang.exchange.client_workflow import ClientStatus, DeliveryStatus, SubscriptionStatus
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class Scope(models.TextChoices):
    READ = "exchange.read", "读取共享数据"
    SUBSCRIBE = "exchange.subscribe", "订阅事件推送"


class EventKind(models.TextChoices):
    CASE_DECIDED = "case.decided", "办件作出审批决定"


class ApiClient(models.Model):
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        verbose_name="OAuth 应用",
    )
    name = models.CharField("客户端名称", max_length=100)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="api_clients", verbose_name="使用部门"
    )
    scopes = models.JSONField("权限范围", default=list)
    # HMAC needs the key itself, so it cannot be hashed like the OAuth secret (ADR 0016).
    webhook_secret = models.CharField("推送签名密钥", max_length=100, editable=False)
    status = models.CharField("状态", max_length=12, choices=ClientStatus.choices)
    status_since = models.DateTimeField("状态变更时间")
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    registered_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "接口客户端"
        ordering = ["department_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="subscriptions", verbose_name="客户端")
    event = models.CharField("事件", max_length=40, choices=EventKind.choices)
    item_code = models.CharField("事项基本编码", max_length=20, blank=True, help_text="空为全部事项")
    target_url = models.CharField("推送地址", max_length=500)
    status = models.CharField("状态", max_length=12, choices=SubscriptionStatus.choices)
    created_at = models.DateTimeField("订阅时间")
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件订阅"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event", "status", "item_code"], name="subscription_event")]

    def __str__(self) -> str:
        return f"{self.client} {self.event} {self.item_code or '*'}"


class WebhookDelivery(models.Model):
    """One push owed to a subscriber; the body is fixed when the event happens."""

    event_id = models.UUIDField("推送编号（幂等键）", default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="deliveries", verbose_name="客户端")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="deliveries", verbose_name="订阅"
    )
    event = models.CharField("事件", max_length=40, choices=EventKind.choices)
    target_url = models.CharField("推送地址", max_length=500)
    payload = models.JSONField("推送内容")
    status = models.CharField("状态", max_length=12, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    attempt_log = models.JSONField("尝试记录", default=list, help_text="[{at, status_code, error, ms}]")
    last_status_code = models.PositiveSmallIntegerField("最近一次应答码", null=True, blank=True)
    last_error = models.CharField("最近一次错误", max_length=500, blank=True)
    created_at = models.DateTimeField("产生时间")
    next_attempt_at = models.DateTimeField("下次尝试时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件推送记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
            models.Index(fields=["client", "-created_at"], name="webhook_client"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.client}: {self.status}"


class ClientEvent(DomainEvent):
    """The history of API clients and their subscriptions; each row mirrored into the ledger."""

    domain = Domain.EXCHANGE
    subject_field = "subject"

    subject = models.CharField("对象", max_length=80, help_text="client:<id> / subscription:<id>")
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="events", verbose_name="客户端")
    reason = models.CharField("理由", max_length=1000, blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "接口客户端事件"
