"""Outbox reads: a person's in-app inbox."""

from django.db.models import QuerySet

from yiwang.accounts.models import User
from yiwang.notifications.models import Channel, Message, MessageStatus


def inbox_for(user: User) -> QuerySet[Message]:
    """In-app messages delivered to `user`, newest first."""
    return Message.objects.filter(recipient=user, channel=Channel.IN_APP, status=MessageStatus.SENT).order_by(
        "-created_at", "-id"
    )


def unread_count(user: User) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
