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
