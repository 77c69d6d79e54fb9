"""The outbox: every message the platform owes someone, written in the same transaction as
the change it reports and delivered after commit by `notifications.tasks.deliver_pending`.

A row is the message itself: an in-app message is "delivered" once it is visible in the
recipient's inbox; e-mail and SMS rows are handed to the channel plugin configured in
settings.NOTIFICATION_CHANNELS (the offline default writes them to the log; EmailChannel and
HttpSmsChannel send through SMTP and an HTTP SMS gateway). Status changes go through
`notifications.workflow.message_next_status`.
"""

from django.db import models

from yiwang.accounts.models import User
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class Channel(models.TextChoices):
    IN_APP = "in_app", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Message(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="messages", verbose_name="接收人")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    reference = models.CharField("关联对象", max_length=80, blank=True, db_index=True, help_text="例如 case:370100-…")
    status = models.CharField(
        "状态", max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近一次错误", blank=True)
    receipt = models.CharField(
        "渠道回执号", max_length=100, blank=True, help_text="邮件的 Message-ID、短信网关的消息编号"
    )
    created_at = models.DateTimeField("创建时间")
    next_attempt_at = models.DateTimeField("下次尝试时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    # A one-time secret in the body (a confirmation code): where it is, and how long it may stay.
    # Blanked once the message is delivered or given up, when its sender says it is used or
    # void (`messages_redact`), or at `secret_until` at the latest (`messages_redact_expired`).
    secret_start = models.PositiveIntegerField("保密片段起点", null=True, blank=True)
    secret_end = models.PositiveIntegerField("保密片段终点", null=True, blank=True)
    secret_until = models.DateTimeField("保密片段保留至", null=True, blank=True)
    # When the secret was blanked: the body now carries "******" where it stood (never resent).
    secret_blanked_at = models.DateTimeField("保密片段抹去时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="message_inbox"),
            # The header's unread count on every page: one index-only count per request.
            models.Index(
                fields=["secret_until"], name="message_secret_until", condition=models.Q(secret_start__isnull=False)
            ),
            models.Index(
                fields=["recipient"],
                name="message_unread",
                condition=models.Q(channel="in_app", status="sent", read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"


class NotificationEvent(DomainEvent):
    """A person's or the operator's change to how notices reach people (mirrored into the
    ledger): a channel choice, a message put back in the queue. Deliveries themselves are
    the outbox rows' own status, not events."""

    domain = Domain.NOTIFICATIONS

    subject = models.CharField("对象", max_length=80, db_index=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "消息事件"
