"""Channel plugins for tests."""

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
