import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import yiwang

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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(module: str, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start `python -m <module> --port <free> …` and wait until it accepts connections."""
    port = _free_port()
    src = str(Path(yiwang.__file__).resolve().parents[1])  # this checkout's code, not an installed copy
    env = {**os.environ, "PYTHONPATH": src}
    proc = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args], env=env)  # noqa: S603
    deadline = time.monotonic() + 20
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return proc, port
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{module} did not start (exit {proc.returncode})")
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def smtp_server(settings, tmp_path: Path) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A real local SMTP server process (devsmtp, aiosmtpd); the e-mail channel points at it.
    Yields the Maildir it stores mail in."""
    maildir = tmp_path / "mail"
    proc, port = _start("yiwang.notifications.devsmtp", "--maildir", str(maildir))
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NOTIFICATION_CHANNELS = {**settings.NOTIFICATION_CHANNELS, "email": EMAIL_CHANNEL}
    try:
        yield maildir
    finally:
        _stop(proc)


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
    proc, port = _start("yiwang.notifications.devsms", "--record", str(record), "--api-key", "test-key")
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    settings.SMS_GATEWAY_API_KEY = "test-key"
    settings.SMS_GATEWAY_TIMEOUT = 1.0
    settings.NOTIFICATION_CHANNELS = {**settings.NOTIFICATION_CHANNELS, "sms": SMS_CHANNEL}
    try:
        yield SmsGateway(url=settings.SMS_GATEWAY_URL, record=record)
    finally:
        _stop(proc)
