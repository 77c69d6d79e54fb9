"""The outbox: written with the change, delivered after commit, never for a rollback."""

import datetime as dt

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.errors import NotFound
from yiwang.notifications import selectors
from yiwang.notifications.models import Message, MessageStatus
from yiwang.notifications.services import (
    MAX_ATTEMPTS,
    message_enqueue,
    message_mark_read,
    messages_deliver_pending,
)
from yiwang.notifications.tasks import deliver_pending


def _user(username: str = "reader", phone: str = "13800138000") -> User:
    return User.objects.create_user(username=username, password="x" * 12, phone=phone, email=f"{username}@example.cn")


@pytest.mark.django_db(transaction=True)
def test_messages_are_delivered_after_commit(recording: list) -> None:
    user = _user()
    with transaction.atomic():
        created = message_enqueue(recipient=user, subject="申请已提交", body="…", channels=["in_app", "sms", "email"])
        assert len(created) == 3
        assert recording == []  # nothing leaves before commit
        assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}
    assert sorted(c for c, _, _ in recording) == ["email", "in_app", "sms"]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_rolled_back_change(recording: list) -> None:
    user = _user()
    with pytest.raises(RuntimeError), transaction.atomic():
        message_enqueue(recipient=user, subject="不会发出", body="…", channels=["in_app", "sms"])
        raise RuntimeError("the service failed half-way")
    assert recording == []
    assert not Message.objects.exists()
    deliver_pending.call()
    assert recording == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_a_programming_error() -> None:
    user = _user()
    with pytest.raises(RuntimeError):
        message_enqueue(recipient=user, subject="x", body="y")


@pytest.mark.django_db
def test_channels_without_an_address_are_skipped() -> None:
    user = _user(phone="")
    user.email = ""
    user.save()
    with transaction.atomic():
        created = message_enqueue(recipient=user, subject="x", body="y", channels=["in_app", "sms", "email"])
    assert [m.channel for m in created] == ["in_app"]


@pytest.mark.django_db
def test_a_failing_channel_is_retried_with_backoff_then_marked_failed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_CHANNELS = {"sms": "yiwang.notifications.tests.plugins.FailingChannel"}
    user = _user()
    with transaction.atomic():
        [message] = message_enqueue(recipient=user, subject="x", body="y", channels=["sms"])
    moment = message.next_attempt_at
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with clock.frozen(moment):
            assert messages_deliver_pending() == 0
        message.refresh_from_db()
        assert message.attempts == attempt
        assert "短信网关超时" in message.last_error
        moment = message.next_attempt_at + dt.timedelta(seconds=1)
    assert message.status == MessageStatus.FAILED
    with clock.frozen(moment + dt.timedelta(days=1)):
        messages_deliver_pending()
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS  # a failed message is not tried again


@pytest.mark.django_db
def test_the_default_channels_log_with_the_recipient_masked(caplog: pytest.LogCaptureFixture) -> None:
    user = _user()
    with transaction.atomic():
        message_enqueue(recipient=user, subject="审批结果", body="…", channels=["sms"])
    with caplog.at_level("INFO", logger="yiwang.notifications"):
        assert messages_deliver_pending() == 1
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text


@pytest.mark.django_db
def test_inbox_and_read_marks(recording: list) -> None:
    reader, other = _user("reader"), _user("other")
    with transaction.atomic():
        message_enqueue(recipient=reader, subject="一", body="…")
        message_enqueue(recipient=reader, subject="二", body="…", channels=["sms"])
    messages_deliver_pending()
    inbox = list(selectors.inbox_for(reader))
    assert [m.subject for m in inbox] == ["一"]  # in-app only
    assert selectors.unread_count(reader) == 1
    with pytest.raises(NotFound):
        message_mark_read(actor=other, message_id=inbox[0].pk)
    message_mark_read(actor=reader, message_id=inbox[0].pk)
    assert selectors.unread_count(reader) == 0


@pytest.mark.django_db
def test_a_message_being_sent_is_leased_so_a_second_worker_does_not_send_it_again(settings) -> None:  # type: ignore[no-untyped-def]
    from yiwang.notifications.tests.plugins import ReentrantChannel

    ReentrantChannel.sent, ReentrantChannel.seen_by_second_worker = [], []
    settings.NOTIFICATION_CHANNELS = {"email": "yiwang.notifications.tests.plugins.ReentrantChannel"}
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False
    user = _user()
    with transaction.atomic():
        [message] = message_enqueue(recipient=user, subject="x", body="y", channels=["email"])
    assert messages_deliver_pending() == 1
    assert ReentrantChannel.sent == [message.pk] and ReentrantChannel.seen_by_second_worker == [0]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1


@pytest.mark.django_db
def test_a_slow_batch_stops_before_its_lease_runs_out_and_the_rest_goes_next_run(settings) -> None:  # type: ignore[no-untyped-def]
    from yiwang.notifications.tests.plugins import SlowChannel

    SlowChannel.sent = []
    settings.NOTIFICATION_CHANNELS = {"sms": "yiwang.notifications.tests.plugins.SlowChannel"}
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False
    user = _user()
    with transaction.atomic():
        for n in range(6):
            message_enqueue(recipient=user, subject=f"第{n}条", body="…", channels=["sms"])
    start = clock.now()
    with clock.frozen(start):
        # 5-minute lease, no send started in its last minute, 50 s a send: five go out, every
        # one inside the lease; the sixth is left alone.
        assert messages_deliver_pending() == 5
    assert len(SlowChannel.sent) == 5
    [left] = Message.objects.filter(status=MessageStatus.PENDING)
    assert left.attempts == 0
    with clock.frozen(start + dt.timedelta(minutes=6)):  # its claim lapsed: the next run sends it
        assert messages_deliver_pending() == 1
    assert sorted(SlowChannel.sent) == sorted(Message.objects.values_list("pk", flat=True))  # each once


@pytest.mark.django_db
def test_an_outcome_is_not_written_over_a_claim_another_worker_took(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_CHANNELS = {"sms": "yiwang.notifications.tests.plugins.ClaimLosingChannel"}
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False
    user = _user()
    with transaction.atomic():
        [message] = message_enqueue(recipient=user, subject="x", body="y", channels=["sms"])
    assert messages_deliver_pending() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0  # the other claim stands


@pytest.mark.django_db
def test_the_header_counts_exactly_the_unread_messages_of_the_inbox() -> None:
    """unread_count is SQL of its own (it runs on every page): it counts what inbox_for shows unread."""
    reader, other = _user("reader"), _user("other", phone="13800138001")
    now = clock.now()
    shapes = [  # (recipient, channel, status, read): only the first two are unread in reader's inbox
        (reader, "in_app", MessageStatus.SENT, False),
        (reader, "in_app", MessageStatus.SENT, False),
        (reader, "in_app", MessageStatus.SENT, True),
        (reader, "in_app", MessageStatus.PENDING, False),
        (reader, "in_app", MessageStatus.FAILED, False),
        (reader, "sms", MessageStatus.SENT, False),
        (other, "in_app", MessageStatus.SENT, False),
    ]
    for recipient, channel, status, read in shapes:
        Message.objects.create(recipient=recipient, channel=channel, status=status, subject="通知", body="…",
                               created_at=now, next_attempt_at=now, read_at=now if read else None)  # fmt: skip
    assert selectors.unread_count(reader) == selectors.inbox_for(reader).filter(read_at__isnull=True).count() == 2
    assert selectors.unread_count(other) == 1
