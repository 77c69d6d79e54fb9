"""A message a person is waiting for right now (a one-time code) reaches them whatever their
notice choices and is sent on its own, not behind the outbox's backlog."""

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.notifications.models import Channel, Message, MessageStatus
from yiwang.notifications.services import message_enqueue, messages_deliver_pending

pytestmark = pytest.mark.django_db


def test_a_code_ignores_the_channel_choice_but_not_a_missing_number(world: None) -> None:
    zhangsan = User.objects.get(username="zhangsan")
    zhangsan.notify_by_sms = False
    zhangsan.save()
    with transaction.atomic():
        assert message_enqueue(recipient=zhangsan, subject="通知", body="x", channels=[Channel.SMS]) == []
        [code] = message_enqueue(recipient=zhangsan, subject="验证码", body="y", channels=[Channel.SMS], asked_for=True)
    assert code.channel == Channel.SMS
    zhangsan.phone = ""
    zhangsan.save()
    with transaction.atomic():
        assert (
            message_enqueue(recipient=zhangsan, subject="验证码", body="z", channels=[Channel.SMS], asked_for=True)
            == []
        )


def test_delivering_some_messages_leaves_the_backlog_alone(world: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False
    zhangsan = User.objects.get(username="zhangsan")
    with transaction.atomic():
        backlog = [message_enqueue(recipient=zhangsan, subject=f"旧消息 {i}", body="x")[0] for i in range(3)]
        [code] = message_enqueue(recipient=zhangsan, subject="验证码", body="y", channels=[Channel.SMS])
    assert messages_deliver_pending(ids=[code.pk]) == 1
    assert Message.objects.get(pk=code.pk).status == MessageStatus.SENT
    assert {m.status for m in Message.objects.filter(pk__in=[m.pk for m in backlog])} == {MessageStatus.PENDING}


@pytest.mark.django_db
def test_the_back_office_shows_a_message_without_its_text() -> None:
    """A 帮办代办 code lives in an SMS's text for its ten minutes: the admin lists the message
    and its delivery, never the text."""
    from django.db import transaction
    from django.test import Client

    from yiwang.accounts.models import User
    from yiwang.notifications.services import message_enqueue

    person = User.objects.create_user(username="zhangsan", password="x" * 12, display_name="张三", phone="13900000001")
    with transaction.atomic():
        [message] = message_enqueue(
            recipient=person, subject="帮办确认", body="验证码 493817，10 分钟内有效。", channels=["sms"]
        )
    admin = Client()
    admin.force_login(User.objects.create_superuser(username="root", password="x" * 12))
    page = admin.get(f"/admin/notifications/message/{message.pk}/change/")
    assert page.status_code == 200 and "帮办确认" in page.content.decode()
    assert "493817" not in page.content.decode()
