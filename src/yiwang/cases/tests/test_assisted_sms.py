"""The 帮办 confirmation SMS: the code is blanked where it was put, not where its six digits
first appear (an item's name may hold the same digits), and a message whose code was blanked
is never sent again (it would arrive as "******")."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import AssistedApplication
from yiwang.cases.services import assisted as services
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import GOOD_DATA, ImplementationVersionFactory, user
from yiwang.cases.tests.flows import phone  # noqa: F401 - the fixture
from yiwang.core import clock
from yiwang.core.errors import Conflict
from yiwang.notifications.models import Message, MessageStatus
from yiwang.notifications.selectors import delivery_row
from yiwang.notifications.services import message_enqueue, message_retry, messages_deliver_pending

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("phone")]
START = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def filled(version) -> AssistedApplication:  # type: ignore[no-untyped-def]
    clerk = user("jn_window")
    with clock.frozen(START):
        assisted = services.assisted_start(actor=clerk, person=user("zhangsan"), implementation_version=version)
        services.assisted_save(actor=clerk, assisted=assisted, form_data=GOOD_DATA)
        for key in ("application", "layout"):
            services.assisted_upload(actor=clerk, assisted=assisted, material_key=key, upload=flows.pdf())
    return AssistedApplication.objects.get(pk=assisted.pk)


def test_the_code_is_blanked_where_it_stands_when_the_item_name_holds_the_same_digits(world: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "secrets", SimpleNamespace(randbelow=lambda _: 123456))  # this code only
    assisted = filled(ImplementationVersionFactory(item_version__name="第123456号许可证延续"))
    with clock.frozen(START):
        services.assisted_code_send(actor=user("jn_window"), assisted=assisted)
    assert flows.code_sent(f"assisted:{assisted.ref}") == "123456"  # the phone got the code
    stored = Message.objects.get(reference=f"assisted:{assisted.ref}", channel="sms").body
    assert "“第123456号许可证延续”" in stored  # the item's name as it is
    assert "验证码 ****** 告知工作人员" in stored and stored.count("123456") == 1


def test_a_secret_must_be_named_where_it_stands(world: None) -> None:
    body = "验证码 654321，10 分钟内有效。"
    with transaction.atomic(), pytest.raises(ValueError):
        message_enqueue(
            recipient=user("zhangsan"), subject="x", body=body, channels=["sms"], secret="654321", secret_at=0
        )
    assert not Message.objects.exists()


def test_a_failed_message_whose_code_was_blanked_is_not_sent_again(world: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False
    operator = User.objects.create_superuser(username="operator", password="x" * 12, kind="staff")
    body = "验证码 654321，10 分钟内有效。"
    with transaction.atomic():
        [message] = message_enqueue(
            recipient=user("zhangsan"), subject="验证码", body=body, channels=["sms"], secret="654321", secret_at=4
        )
    settings.NOTIFICATION_CHANNELS = {"sms": "yiwang.notifications.tests.plugins.RefusingChannel"}
    messages_deliver_pending()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.body == "验证码 ******，10 分钟内有效。"
    with pytest.raises(Conflict) as refused:
        message_retry(actor=operator, message_id=message.pk)
    assert "不能重新发送" in refused.value.message
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED  # still failed: nothing queued
    row = delivery_row(message)  # the operator's page offers no 立即重发 for it
    assert row.code_blanked and not row.retryable
    # A failed message without a secret is retried as before.
    with transaction.atomic():
        [plain] = message_enqueue(recipient=user("zhangsan"), subject="通知", body="您的申请已受理。", channels=["sms"])
    messages_deliver_pending()
    assert message_retry(actor=operator, message_id=plain.pk).status == MessageStatus.PENDING
