"""The message transition table walked through the real services: every allowed pair does
what the table says, every forbidden pair is refused and changes nothing."""

import itertools

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.ledger.events import NotificationVerb
from yiwang.ledger.models import Entry
from yiwang.notifications.models import Message, MessageStatus, NotificationEvent
from yiwang.notifications.services import message_enqueue, message_retry, messages_deliver_pending
from yiwang.notifications.workflow import TRANSITIONS, MessageAction, message_next_status

PLUGINS = "yiwang.notifications.tests.plugins."
# The channel plugin that makes the outbox take each delivery action.
CHANNEL_FOR = {
    MessageAction.DELIVER: "RecordingChannel",
    MessageAction.DEFER: "FailingChannel",
    MessageAction.GIVE_UP: "RefusingChannel",
}


def _message(status: MessageStatus) -> Message:
    """A real SMS row brought into `status` by the services themselves."""
    user, _ = User.objects.get_or_create(username="walker", defaults={"phone": "13900000009"})
    with transaction.atomic():
        [message] = message_enqueue(recipient=user, subject="状态", body="…", channels=["sms"])
    if status != MessageStatus.PENDING:
        outcome = MessageAction.DELIVER if status == MessageStatus.SENT else MessageAction.GIVE_UP
        _run(message, outcome)
    message.refresh_from_db()
    assert message.status == status
    return message


def _run(message: Message, action: MessageAction) -> None:
    if action == MessageAction.RETRY:
        message_retry(actor=User.objects.get(username="operator"), message_id=message.pk)
        return
    from django.conf import settings

    settings.NOTIFICATION_CHANNELS = {"sms": PLUGINS + CHANNEL_FOR[action]}
    messages_deliver_pending()


@pytest.fixture
def operator(settings) -> User:  # type: ignore[no-untyped-def]
    settings.NOTIFICATIONS_KICK_AFTER_COMMIT = False  # the walk runs the outbox itself
    return User.objects.create_superuser(username="operator", password="x" * 12, kind="staff")


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action"), list(itertools.product(MessageStatus, MessageAction)))
def test_every_pair(status: MessageStatus, action: MessageAction, operator: User, settings) -> None:  # type: ignore[no-untyped-def]
    message = _message(status)
    before = (message.status, message.attempts)
    allowed = (status, action) in TRANSITIONS
    if allowed:
        _run(message, action)
        message.refresh_from_db()
        assert message.status == TRANSITIONS[(status, action)] == message_next_status(status, action)
        return
    with pytest.raises(Conflict):
        message_next_status(status, action)
    if action == MessageAction.RETRY:
        with pytest.raises(Conflict):
            _run(message, action)
    else:
        _run(message, action)  # the outbox only ever picks pending rows
    message.refresh_from_db()
    assert (message.status, message.attempts) == before


@pytest.mark.django_db
def test_retry_puts_a_failed_message_back_with_a_fresh_budget_and_only_for_the_operator(operator: User) -> None:
    message = _message(MessageStatus.FAILED)
    clerk = User.objects.create_user(username="clerk", password="x" * 12, kind="staff")
    with pytest.raises(PermissionDenied):
        message_retry(actor=clerk, message_id=message.pk)
    message_retry(actor=operator, message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    [event] = NotificationEvent.objects.filter(verb=NotificationVerb.MESSAGE_RETRIED)
    assert (event.actor, event.subject) == (operator, f"message:{message.pk}")
    assert Entry.objects.get(pk=event.ledger_entry_id).kind == "notifications.message_retried"
    _run(message, MessageAction.DELIVER)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
