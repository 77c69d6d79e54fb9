"""E-mail and SMS leave the machine through real protocol servers the tests start as
processes: the local SMTP server (aiosmtpd) and the stand-in HTTP SMS gateway."""

import datetime as dt
import time

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.notifications.devsmtp import read_maildir
from yiwang.notifications.models import Message, MessageStatus
from yiwang.notifications.services import message_enqueue, messages_deliver_pending
from yiwang.notifications.tests.conftest import SmsGateway


def _person(phone: str = "13900000001", email: str = "zhangsan@demo.yiwang.test") -> User:
    return User.objects.create_user(
        username="zhangsan", password="x" * 12, display_name="张三", phone=phone, email=email
    )


def _queue(user: User, channel: str, subject: str = "【食品经营许可】已受理") -> Message:
    with transaction.atomic():
        [message] = message_enqueue(
            recipient=user, subject=subject, body="办件编号 370100-1：您的申请已受理。", channels=[channel]
        )
    return message


def _deliver_again(message: Message) -> None:
    """Run the outbox at the message's next due time."""
    with clock.frozen(message.next_attempt_at + dt.timedelta(seconds=1)):
        messages_deliver_pending()
    message.refresh_from_db()


@pytest.mark.django_db
def test_email_arrives_on_the_smtp_server_with_chinese_subject_and_body(smtp_server) -> None:  # type: ignore[no-untyped-def]
    message = _queue(_person(), "email")
    assert messages_deliver_pending() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    [mail] = read_maildir(smtp_server)
    assert mail.to == ["zhangsan@demo.yiwang.test"]
    assert mail.subject == "【食品经营许可】已受理"
    assert "您的申请已受理" in mail.body and "请勿直接回复" in mail.body
    assert mail.message_id == message.receipt  # the staff page shows which mail it was


@pytest.mark.django_db
def test_email_to_an_unreachable_server_is_retried_then_succeeds(smtp_server, settings) -> None:  # type: ignore[no-untyped-def]
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens on discard
    message = _queue(_person(), "email")
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert "邮件服务器不可用" in message.last_error
    assert read_maildir(smtp_server) == []
    settings.EMAIL_PORT = port
    _deliver_again(message)
    assert message.status == MessageStatus.SENT and message.attempts == 2 and message.last_error == ""
    assert len(read_maildir(smtp_server)) == 1


@pytest.mark.django_db
def test_sms_reaches_the_gateway_and_keeps_its_message_id(sms_gateway: SmsGateway) -> None:
    message = _queue(_person(), "sms")
    assert messages_deliver_pending() == 1
    message.refresh_from_db()
    [received] = sms_gateway.received()
    assert received["phone"] == "13900000001"
    assert received["text"].startswith("【食品经营许可】已受理：办件编号 370100-1")
    assert message.status == MessageStatus.SENT and message.receipt == received["id"]


@pytest.mark.django_db
def test_sms_gateway_5xx_is_retried_with_backoff_then_sent(sms_gateway: SmsGateway) -> None:
    sms_gateway.control(fail_next=2, status=503)
    message = _queue(_person(), "sms")
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    first_retry = message.next_attempt_at - message.created_at
    assert message.status == MessageStatus.PENDING and "HTTP 503" in message.last_error
    _deliver_again(message)
    assert message.status == MessageStatus.PENDING and message.attempts == 2
    assert message.next_attempt_at - message.created_at > first_retry  # the back-off grows
    _deliver_again(message)
    assert message.status == MessageStatus.SENT and message.attempts == 3
    assert len(sms_gateway.received()) == 1


@pytest.mark.django_db
def test_sms_gateway_4xx_fails_at_once_and_is_not_retried(sms_gateway: SmsGateway) -> None:
    message = _queue(_person(phone="0531-1234"), "sms")  # the gateway refuses a landline
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "HTTP 400" in message.last_error and "11 digits" in message.last_error
    with clock.frozen(message.next_attempt_at + dt.timedelta(days=1)):
        messages_deliver_pending()
    message.refresh_from_db()
    assert message.attempts == 1 and sms_gateway.received() == []


@pytest.mark.django_db
def test_sms_gateway_timeout_is_retried(sms_gateway: SmsGateway) -> None:
    sms_gateway.control(delay_next=1, seconds=3)  # longer than SMS_GATEWAY_TIMEOUT (1 s)
    message = _queue(_person(), "sms")
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and "超时" in message.last_error
    _deliver_again(message)
    assert message.status == MessageStatus.SENT


@pytest.mark.django_db
def test_a_send_handed_over_twice_reaches_the_phone_once(sms_gateway: SmsGateway) -> None:
    """The first attempt times out here but the gateway still takes it; the retry carries the
    same Idempotency-Key, so the gateway sends it once (ADR 0032: a killed worker's claim
    handed over again is the same case)."""
    sms_gateway.control(delay_next=1, seconds=1.5)  # longer than SMS_GATEWAY_TIMEOUT (1 s)
    message = _queue(_person(), "sms")
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    _deliver_again(message)
    assert message.status == MessageStatus.SENT
    time.sleep(1.5)  # let the first, delayed request finish at the gateway
    [received] = sms_gateway.received()
    assert message.receipt == received["id"]


@pytest.mark.django_db
def test_a_wrong_gateway_key_is_a_permanent_failure(sms_gateway: SmsGateway, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_GATEWAY_API_KEY = "wrong"
    message = _queue(_person(), "sms")
    messages_deliver_pending()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "HTTP 401" in message.last_error


@pytest.mark.django_db
def test_a_gateway_error_echoing_the_phone_is_stored_masked(sms_gateway: SmsGateway) -> None:
    sms_gateway.control(fail_next=1, status=503)
    message = _queue(_person(phone="13912345678"), "sms")
    messages_deliver_pending()
    message.refresh_from_db()
    assert "HTTP 503" in message.last_error
    assert "13912345678" not in message.last_error and "139****5678" in message.last_error


@pytest.mark.django_db
def test_a_gateway_redirect_is_not_followed(sms_gateway: SmsGateway) -> None:
    sms_gateway.control(fail_next=1, status=307)
    message = _queue(_person(), "sms")
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and "跳转" in message.last_error
    assert sms_gateway.received() == []  # the phone and the key were not sent on


@pytest.mark.django_db
def test_a_plain_http_gateway_off_this_machine_is_refused(sms_gateway: SmsGateway, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_GATEWAY_URL = "http://sms.example.org/send"
    message = _queue(_person(), "sms")
    messages_deliver_pending()
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and "https" in message.last_error
