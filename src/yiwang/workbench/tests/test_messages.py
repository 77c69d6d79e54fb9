"""The workbench's message centre and the operator's delivery-status page."""

import datetime as dt

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core import clock
from yiwang.notifications.models import Message, MessageStatus
from yiwang.notifications.services import message_enqueue, messages_deliver_pending

DAY = dt.date(2026, 3, 2)
REFUSING = "yiwang.notifications.tests.plugins.RefusingChannel"


@pytest.mark.django_db(transaction=True)
def test_a_clerk_sees_the_new_application_notice_and_opens_the_case(login_as) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(DAY):
        case = flows.submit(ImplementationVersionFactory())
    clerk = login_as("jn_window")
    assert "（1 条未读）" in clerk.get("/workbench/").content.decode()
    html = clerk.get("/workbench/messages/").content.decode()
    assert "新的申请待受理" in html and f"查看办件 {case.number}" in html
    notice = Message.objects.get(recipient__username="jn_window", channel="in_app")
    opened = clerk.post(f"/workbench/messages/{notice.pk}/open/")
    assert opened["Location"] == f"/workbench/cases/{case.number}/"
    # a reviewer of another department gets no link to a case outside their scope
    with transaction.atomic():
        [other] = message_enqueue(
            recipient=User.objects.get(username="jn_fire_rev"), subject="转发", body="…", reference=case.subject
        )
    fire = login_as("jn_fire_rev")
    assert "查看办件" not in fire.get("/workbench/messages/").content.decode()
    assert fire.post(f"/workbench/messages/{other.pk}/open/")["Location"].startswith("/workbench/messages/#")


@pytest.mark.django_db
def test_staff_choose_their_channels(login_as) -> None:  # type: ignore[no-untyped-def]
    clerk = login_as("jn_window")
    page = clerk.get("/workbench/notifications/").content.decode()
    assert "j***@demo.yiwang.test" in page and "139****0101" in page
    clerk.post("/workbench/notifications/", {})
    user = User.objects.get(username="jn_window")
    assert (user.notify_by_email, user.notify_by_sms) == (False, False)


@pytest.mark.django_db
def test_only_the_platform_operator_sees_delivery_status_masked_and_can_retry(login_as, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_CHANNELS = {**settings.NOTIFICATION_CHANNELS, "sms": REFUSING}
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False
    zhangsan = User.objects.get(username="zhangsan")
    with transaction.atomic():
        [sms] = message_enqueue(recipient=zhangsan, subject="审批结果", body="…", channels=["sms"])
    messages_deliver_pending()
    for username in ("jn_window", "jn_supervisor", "auditor_han"):
        assert login_as(username).get("/workbench/deliveries/").status_code == 403
    assert login_as("zhangsan").get("/workbench/deliveries/").status_code == 403
    admin = login_as("admin")
    page = admin.get("/workbench/deliveries/?status=failed").content.decode()
    assert "审批结果" in page and "发送失败" in page and "HTTP 400" in page
    assert "139****0001" in page and "13900000001" not in page and "张*" in page
    assert "立即重发" in page
    assert login_as("jn_window").post(f"/workbench/deliveries/{sms.pk}/retry/").status_code == 403
    done = admin.post(f"/workbench/deliveries/{sms.pk}/retry/", {"back": "/workbench/deliveries/?status=failed"})
    assert done["Location"] == "/workbench/deliveries/?status=failed"
    sms.refresh_from_db()
    assert sms.status == MessageStatus.PENDING and sms.attempts == 0
    again = admin.post(f"/workbench/deliveries/{sms.pk}/retry/", {"back": "https://evil.example/"}, follow=True)
    assert "只有发送失败的消息可以重新发送" in again.content.decode()
    assert again.redirect_chain[0][0] == "/workbench/deliveries/"
