"""Outbox reads: a person's in-app inbox, its unread count, and the delivery status of
e-mail and SMS for the platform operator (recipients masked)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from yiwang.accounts.models import User
from yiwang.core.identifiers import mask_name
from yiwang.notifications.channels import recipient_address
from yiwang.notifications.models import Channel, Message, MessageStatus
from yiwang.notifications.policy import require_outbox_operator
from yiwang.notifications.workflow import TRANSITIONS, MessageAction


def inbox_for(user: User) -> QuerySet[Message]:
    """In-app messages delivered to `user`, newest first."""
    return Message.objects.filter(recipient=user, channel=Channel.IN_APP, status=MessageStatus.SENT).order_by(
        "-created_at", "-id"
    )


def unread_count(user: User) -> int:
    """One count over the partial index `message_unread` (the header shows it on every page)."""
    if not user.is_authenticated:
        return 0
    return inbox_for(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel: str
    channel_label: str
    recipient: str  # masked address
    recipient_name: str
    subject: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    receipt: str
    retryable: bool


def outbound_for(user: User, *, status: str = "", channel: str = "") -> QuerySet[Message]:
    """E-mail and SMS rows for the operator's delivery page, failed and pending first."""
    require_outbox_operator(user)
    rows = Message.objects.exclude(channel=Channel.IN_APP).select_related("recipient")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    if channel in (Channel.EMAIL, Channel.SMS):
        rows = rows.filter(channel=channel)
    return rows.order_by(Coalesce("sent_at", "next_attempt_at").desc(), "-id")


def delivery_row(message: Message) -> DeliveryRow:
    return DeliveryRow(
        id=message.pk,
        channel=message.channel,
        channel_label=Channel(message.channel).label,
        recipient=recipient_address(message, masked=True) or "（无地址）",
        recipient_name=mask_name(str(message.recipient)),
        subject=message.subject,
        status=message.status,
        status_label=MessageStatus(message.status).label,
        attempts=message.attempts,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at if message.status == MessageStatus.PENDING else None,
        created_at=message.created_at,
        sent_at=message.sent_at,
        receipt=message.receipt,
        retryable=(MessageStatus(message.status), MessageAction.RETRY) in TRANSITIONS,
    )


