"""我的消息 and 通知设置 in the portal: what an applicant sees, opens and chooses."""

import datetime as dt

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core import clock
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message, NotificationEvent
from yiwang.notifications.services import message_enqueue, messages_deliver_pending

DAY = dt.date(2026, 3, 2)


def _notice(username: str, subject: str, reference: str = "") -> Message:
    with transaction.atomic():
        [message] = message_enqueue(
            recipient=User.objects.get(username=username), subject=subject, body="请查看。", reference=reference
        )
    messages_deliver_pending()
    message.refresh_from_db()
    return message


@pytest.mark.django_db(transaction=True)
def test_unread_count_in_the_header_and_opening_a_notice_marks_it_read_and_shows_the_case(login_as) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(DAY):
        case = flows.submit(ImplementationVersionFactory())
    zhangsan = login_as("zhangsan")
    assert "（1 条未读）" in zhangsan.get("/").content.decode()
    page = zhangsan.get("/me/messages/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "申请已提交" in html and "未读" in html and f"查看办件 {case.number}" in html
    notice = Message.objects.get(recipient__username="zhangsan", channel="in_app", subject__contains="申请已提交")
    opened = zhangsan.post(f"/me/messages/{notice.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/me/cases/{case.number}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "条未读" not in zhangsan.get("/me/messages/").content.decode()


@pytest.mark.django_db
def test_a_notice_about_a_case_the_reader_may_not_see_has_no_link(login_as) -> None:  # type: ignore[no-untyped-def]
    notice = _notice("zhangsan", "关于他人办件", reference="case:370100-20260302-999999")
    zhangsan = login_as("zhangsan")
    html = zhangsan.get("/me/messages/").content.decode()
    assert "关于他人办件" in html and "查看办件" not in html and "标为已读" in html
    answer = zhangsan.post(f"/me/messages/{notice.pk}/open/")
    assert answer["Location"] == f"/me/messages/#message-{notice.pk}"


@pytest.mark.django_db
def test_nobody_reads_or_marks_another_persons_messages(login_as) -> None:  # type: ignore[no-untyped-def]
    notice = _notice("zhangsan", "张三的通知")
    lisi = login_as("lisi")
    assert "张三的通知" not in lisi.get("/me/messages/").content.decode()
    assert lisi.post(f"/me/messages/{notice.pk}/open/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
    assert lisi.get(f"/me/messages/{notice.pk}/open/").status_code == 405  # writes are POST only


@pytest.mark.django_db
def test_mark_all_read_and_paging_newest_first(login_as) -> None:  # type: ignore[no-untyped-def]
    for n in range(25):
        _notice("zhangsan", f"通知{n:02d}")
    zhangsan = login_as("zhangsan")
    first = zhangsan.get("/me/messages/").content.decode()
    assert "通知24" in first and "通知04" not in first and "第 1 / 2 页" in first
    assert '<a href="?page=2" rel="next">下一页</a>' in first
    assert "通知00" in zhangsan.get("/me/messages/?page=2").content.decode()
    done = zhangsan.post("/me/messages/read-all/", follow=True).content.decode()
    assert "已将 25 条消息标为已读" in done and "条未读" not in done


@pytest.mark.django_db(transaction=True)
def test_turning_email_off_stops_email_but_not_in_app_messages(login_as) -> None:  # type: ignore[no-untyped-def]
    zhangsan = login_as("zhangsan")
    settings_page = zhangsan.get("/me/notifications/").content.decode()
    assert "z***@demo.yiwang.test" in settings_page and "139****0001" in settings_page
    assert "zhangsan@demo.yiwang.test" not in settings_page
    zhangsan.post("/me/notifications/", {"sms": "on"})
    user = User.objects.get(username="zhangsan")
    assert (user.notify_by_email, user.notify_by_sms) == (False, True)
    [choice] = NotificationEvent.objects.filter(subject=f"user:{user.pk}")
    assert choice.payload == {"email": False, "sms": True}
    assert Entry.objects.get(pk=choice.ledger_entry_id).kind == "notifications.channels_set"
    with transaction.atomic():
        created = message_enqueue(recipient=user, subject="x", body="y", channels=["in_app", "email", "sms"])
    assert sorted(m.channel for m in created) == ["in_app", "sms"]


@pytest.mark.django_db
def test_the_header_count_is_one_query_and_only_on_pages_that_show_it(login_as) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _notice("zhangsan", "一条通知")
    zhangsan = login_as("zhangsan")
    with CaptureQueriesContext(connection) as queries:
        html = zhangsan.get("/guide/").content.decode()
    counted = [q["sql"] for q in queries.captured_queries if "notifications_message" in q["sql"]]
    assert "（1 条未读）" in html and len(counted) == 1 and "COUNT" in counted[0].upper()
    with CaptureQueriesContext(connection) as queries:
        anonymous = type(zhangsan)().get("/guide/").content.decode()
    assert "条未读" not in anonymous
    assert not [q for q in queries.captured_queries if "notifications_message" in q["sql"]]
