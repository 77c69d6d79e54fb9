"""Delivery channels as plugins (architecture rule 10: every integration has an offline default).

settings.NOTIFICATION_CHANNELS maps a channel name (in_app, email, sms) to the dotted path
of a class with a `send(message)` method. `send` returns normally when the message is
handed over and raises `DeliveryFailed` (or anything else) to be retried later. The
defaults never leave the machine: in-app messages are already in the database, e-mail and
SMS are written to the log with the recipient masked.
"""

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.core.identifiers import mask_phone
from yiwang.notifications.models import Message

logger = logging.getLogger("yiwang.notifications")

DEFAULT_CHANNELS = {
    "in_app": "yiwang.notifications.channels.InAppChannel",
    "email": "yiwang.notifications.channels.LogChannel",
    "sms": "yiwang.notifications.channels.LogChannel",
}


class DeliveryFailed(Exception):
    """The channel could not hand the message over; the outbox retries it later."""


class ChannelPlugin(Protocol):
    def send(self, message: Message) -> None: ...


class InAppChannel:
    """The row is the in-app message: delivering it just makes it visible in the inbox."""

    def send(self, message: Message) -> None:
        return None


class LogChannel:
    """Offline default for e-mail and SMS: one log line per message, recipient masked."""

    def send(self, message: Message) -> None:
        logger.info(
            "notification %s to %s: %s",
            message.channel,
            recipient_address(message, masked=True) or f"user:{message.recipient_id}",
            message.subject,
        )


def recipient_address(message: Message, *, masked: bool = False) -> str:
    user = message.recipient
    if message.channel == "email":
        if not user.email:
            return ""
        local, _, domain = user.email.partition("@")
        return f"{local[:1]}***@{domain}" if masked else user.email
    if message.channel == "sms":
        return (mask_phone(user.phone) if masked else user.phone) if user.phone else ""
    return f"user:{user.pk}"


def configured_channels() -> dict[str, str]:
    return {**DEFAULT_CHANNELS, **getattr(settings, "NOTIFICATION_CHANNELS", {})}


@cache
def _load(path: str) -> ChannelPlugin:
    plugin: ChannelPlugin = import_string(path)()
    return plugin


def channel_for(name: str) -> ChannelPlugin:
    path = configured_channels().get(name)
    if path is None:
        raise DeliveryFailed(f"未配置消息渠道 {name}")
    return _load(path)
