import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from yiwang.core.localproc import start, stop

EMAIL_CHANNEL = "yiwang.notifications.channels.EmailChannel"
SMS_CHANNEL = "yiwang.notifications.channels.HttpSmsChannel"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def recording(settings):  # type: ignore[no-untyped-def]
    """Route every channel to a recorder and return the list of what was sent."""
    from yiwang.notifications.tests.plugins import RecordingChannel

    RecordingChannel.sent = []
    path = "yiwang.notifications.tests.plugins.RecordingChannel"
    settings.NOTIFICATION_CHANNELS = {"in_app": path, "email": path, "sms": path}
    return RecordingChannel.sent


@pytest.fixture
def smtp_server(settings, tmp_path: Path) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A real local SMTP server process (devsmtp, aiosmtpd); the e-mail channel points at it.
    Yields the Maildir it stores mail in."""
    maildir = tmp_path / "mail"
    proc, port = start("yiwang.notifications.devsmtp", "--maildir", str(maildir))
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NOTIFICATION_CHANNELS = {**settings.NOTIFICATION_CHANNELS, "email": EMAIL_CHANNEL}
    try:
        yield maildir
    finally:
        stop(proc)


@dataclass
class SmsGateway:
    url: str
    record: Path

    def control(self, **order: object) -> None:
        request = urllib.request.Request(  # noqa: S310 - the local stand-in
            self.url.replace("/send", "/_control"), data=json.dumps(order).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass

    def received(self) -> list[dict[str, str]]:
        return [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def sms_gateway(settings, tmp_path: Path) -> Iterator[SmsGateway]:  # type: ignore[no-untyped-def]
    """The local stand-in SMS gateway as a real process; the SMS channel points at it."""
    record = tmp_path / "sms.jsonl"
    proc, port = start("yiwang.notifications.devsms", "--record", str(record), "--api-key", "test-key")
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    settings.SMS_GATEWAY_API_KEY = "test-key"
    settings.SMS_GATEWAY_TIMEOUT = 1.0
    settings.NOTIFICATION_CHANNELS = {**settings.NOTIFICATION_CHANNELS, "sms": SMS_CHANNEL}
    try:
        yield SmsGateway(url=settings.SMS_GATEWAY_URL, record=record)
    finally:
        stop(proc)
