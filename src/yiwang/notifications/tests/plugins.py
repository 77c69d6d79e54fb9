"""Channel plugins for tests."""

import datetime as dt

from yiwang.notifications.channels import DeliveryFailed, PermanentFailure
from yiwang.notifications.models import Message


class RecordingChannel:
    sent: list[tuple[str, int, str]] = []

    def send(self, message: Message) -> None:
        RecordingChannel.sent.append((message.channel, message.recipient_id, message.subject))


class FailingChannel:
    def send(self, message: Message) -> None:
        raise DeliveryFailed("短信网关超时")


class RefusingChannel:
    def send(self, message: Message) -> None:
        raise PermanentFailure("短信网关拒绝（HTTP 400）：号码无效")


class ReentrantChannel:
    """While sending, another worker drains the outbox: it must not take the claimed row."""

    sent: list[int] = []
    seen_by_second_worker: list[int] = []

    def send(self, message: Message) -> None:
        from yiwang.notifications.services import messages_deliver_pending

        ReentrantChannel.sent.append(message.pk)
        if len(ReentrantChannel.sent) == 1:
            ReentrantChannel.seen_by_second_worker.append(messages_deliver_pending())


class SlowChannel:
    """Each send takes 50 s of the platform's clock (a gateway far past its timeout): the
    claim's lease runs short before the batch is through."""

    sent: list[int] = []

    def send(self, message: Message) -> None:
        from yiwang.core import clock

        SlowChannel.sent.append(message.pk)
        clock._state.frozen_at = clock.now() + dt.timedelta(seconds=50)  # inside clock.frozen()


class ClaimLosingChannel:
    """While it sends, the claim expires and another worker re-claims and sends the row."""

    def send(self, message: Message) -> None:
        from yiwang.core import clock

        Message.objects.filter(pk=message.pk).update(next_attempt_at=clock.now() + dt.timedelta(minutes=9))
