"""Everyone is told what concerns them — after the service commits, never for a rollback."""

import datetime as dt

import pytest

from yiwang.accounts.models import User
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.services import _engine
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.core import clock
from yiwang.notifications.models import Message, MessageStatus

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def recording(settings):  # type: ignore[no-untyped-def]
    from yiwang.notifications.tests.plugins import RecordingChannel

    RecordingChannel.sent = []
    path = "yiwang.notifications.tests.plugins.RecordingChannel"
    settings.NOTIFICATION_CHANNELS = {"in_app": path, "email": path, "sms": path}
    return RecordingChannel.sent


@pytest.mark.django_db(transaction=True)
def test_receipt_and_window_notice_are_delivered_after_the_submission_commits(world: None, recording: list) -> None:
    User.objects.filter(username="zhangsan").update(phone="13912345678")
    with clock.frozen(DAY):
        case = flows.submit(ImplementationVersionFactory())
    mine = Message.objects.filter(recipient=user("zhangsan"), reference=f"case:{case.number}")
    assert {(m.channel, m.status) for m in mine} == {
        ("in_app", MessageStatus.SENT),
        ("email", MessageStatus.SENT),
        ("sms", MessageStatus.SENT),
    }
    assert "申请已提交" in mine.first().subject  # type: ignore[union-attr]
    clerk = Message.objects.get(recipient=user("jn_window"), reference=f"case:{case.number}")
    assert clerk.status == MessageStatus.SENT and "新的申请待受理" in clerk.subject
    assert ("sms", user("zhangsan").pk, mine.filter(channel="sms").get().subject) in recording


@pytest.mark.django_db(transaction=True)
def test_a_service_that_fails_half_way_leaves_no_case_and_sends_nothing(
    world: None, recording: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = ImplementationVersionFactory(auto=True)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("decision engine down")

    monkeypatch.setattr(_engine, "decide", broken)
    with clock.frozen(DAY):
        draft = flows.draft(version, data={"shop_name": "小店", "area": "50", "has_kitchen": False})
        recording.clear()
        before = Message.objects.count()
        with pytest.raises(RuntimeError):
            services.case_submit(actor=user("zhangsan"), draft=draft, idempotency_key="k")
    # The receipt and the window notice were queued before the failure: rolled back with it.
    assert Message.objects.count() == before
    assert recording == []
    case = Case.objects.get(pk=draft.pk)
    assert case.status == "draft" and case.number is None
