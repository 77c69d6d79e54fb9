"""Delivery channels as plugins (architecture rule 10: every integration has an offline default).

settings.NOTIFICATION_CHANNELS maps a channel name (in_app, email, sms) to the dotted path
of a class with a `send(message)` method. `send` returns normally when the message is
handed over (optionally with the receiving system's id for it), raises `PermanentFailure`
when the other side refused it for good (a 4xx from the SMS gateway, a recipient the mail
server rejects) and raises anything else to be retried with back-off.

- `InAppChannel`: the row is the message; nothing to send.
- `LogChannel`: the offline default for e-mail and SMS, one log line, recipient masked.
- `EmailChannel`: Django's mail framework over SMTP (settings.EMAIL_*; docs/operations.md).
- `HttpSmsChannel`: an HTTP SMS gateway (settings.SMS_GATEWAY_*): POST JSON
  {phone, text, template?}; a 2xx carrying the gateway's message id is sent, a 4xx is a
  permanent failure, a 5xx or a timeout is retried.
"""

import json
import logging
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from email.utils import make_msgid, parseaddr
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from yiwang.core.identifiers import mask_phone
from yiwang.notifications.models import Message

logger = logging.getLogger("yiwang.notifications")

DEFAULT_CHANNELS = {
    "in_app": "yiwang.notifications.channels.InAppChannel",
    "email": "yiwang.notifications.channels.LogChannel",
    "sms": "yiwang.notifications.channels.LogChannel",
}
EMAIL_FOOTER = (
    "\n\n——\n本邮件由{platform}自动发送，请勿直接回复。"
    "登录平台后可在“我的消息”中查看全部通知，并在“通知设置”中退订邮件。"
)


class DeliveryFailed(Exception):
    """The channel could not hand the message over; the outbox retries it later."""


class PermanentFailure(DeliveryFailed):
    """The other side refused the message for good; the outbox marks it failed at once."""


class ChannelPlugin(Protocol):
    def send(self, message: Message) -> str | None: ...


class InAppChannel:
    """The row is the in-app message: delivering it just makes it visible in the inbox."""

    def send(self, message: Message) -> str | None:
        return None


class LogChannel:
    """Offline default for e-mail and SMS: one log line per message, recipient masked."""

    def send(self, message: Message) -> str | None:
        logger.info(
            "notification %s to %s: %s",
            message.channel,
            recipient_address(message, masked=True) or f"user:{message.recipient_id}",
            message.subject,
        )
        return None


class EmailChannel:
    """E-mail through Django's mail framework and an SMTP server (settings.EMAIL_HOST …).

    The backend is settings.NOTIFICATION_EMAIL_BACKEND (SMTP), not EMAIL_BACKEND, so a test
    run that swaps Django's own mail for an in-memory outbox still talks to the real server
    the test started."""

    def send(self, message: Message) -> str | None:
        address = recipient_address(message)
        if not address:
            raise PermanentFailure("收件人没有电子邮箱地址")
        connection = get_connection(settings.NOTIFICATION_EMAIL_BACKEND, timeout=settings.EMAIL_TIMEOUT)
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None
        message_id = make_msgid(idstring=f"m{message.pk}", domain=domain)
        email = EmailMessage(
            subject=message.subject,
            body=message.body + EMAIL_FOOTER.format(platform=settings.PLATFORM_NAME),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            connection=connection,
            headers={"Message-ID": message_id},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"邮件服务器拒收收件人（{', '.join(map(str, codes))}）") from exc
            raise DeliveryFailed(f"邮件服务器暂不接收收件人（{', '.join(map(str, codes))}）") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"邮件服务器不可用：{type(exc).__name__}: {exc}") from exc
        return message_id[:100]


class HttpSmsChannel:
    """SMS through an HTTP gateway: POST {phone, text, template?} as JSON with a Bearer key."""

    def send(self, message: Message) -> str | None:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise DeliveryFailed("未配置短信网关地址（SMS_GATEWAY_URL）")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise DeliveryFailed("短信网关地址必须使用 https（仅本机 127.0.0.1 可用 http）")
        phone = recipient_address(message)
        if not phone:
            raise PermanentFailure("收件人没有手机号")
        payload: dict[str, str] = {"phone": phone, "text": f"{message.subject}：{message.body}"}
        if settings.SMS_GATEWAY_TEMPLATE:
            payload["template"] = settings.SMS_GATEWAY_TEMPLATE
        # One key per message: a gateway that honours it sends a message once however often it
        # is handed over (a timeout seen here, a worker killed after the gateway took it).
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": f"yiwang-message-{message.pk}",
        }
        if settings.SMS_GATEWAY_API_KEY:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_API_KEY}"
        request = urllib.request.Request(  # noqa: S310 - the operator's configured gateway
            url, data=json.dumps(payload, ensure_ascii=False).encode(), headers=headers, method="POST"
        )
        try:
            with _NO_REDIRECTS.open(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:
                body = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            if 300 <= exc.code < 400:
                raise DeliveryFailed(f"短信网关要求跳转（HTTP {exc.code}），已拒绝：请配置最终地址") from exc
            if 400 <= exc.code < 500:
                raise PermanentFailure(f"短信网关拒绝（HTTP {exc.code}）：{detail}") from exc
            raise DeliveryFailed(f"短信网关故障（HTTP {exc.code}）：{detail}") from exc
        except TimeoutError as exc:
            raise DeliveryFailed(f"短信网关超时（{settings.SMS_GATEWAY_TIMEOUT} 秒）") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryFailed(f"短信网关不可达：{exc}") from exc
        try:
            answer = json.loads(body)
            receipt = str(answer.get("id") or answer.get("message_id") or "")
        except (ValueError, AttributeError):
            receipt = ""
        if not receipt:
            raise DeliveryFailed("短信网关的应答中没有消息编号")
        return receipt[:100]


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """The gateway receives phone numbers and the API key: never follow it elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def recipient_address(message: Message, *, masked: bool = False) -> str:
    user = message.recipient
    if message.channel == "email":
        if not user.email:
            return ""
        return mask_email(user.email) if masked else user.email
    if message.channel == "sms":
        return (mask_phone(user.phone) if masked else user.phone) if user.phone else ""
    return f"user:{user.pk}"


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


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
