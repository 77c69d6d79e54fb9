"""The outbox row's life as a transition table (the issue-11 convention for status fields).

A message is PENDING until a channel hands it over (SENT). A failed attempt either leaves it
PENDING for a later try (DEFER, with back-off) or ends it (GIVE_UP: too many attempts, or a
permanent refusal such as a gateway's 4xx). Staff may put a FAILED message back in the queue
(RETRY). Every other pair is refused; `message_next_status` is the only way a status changes.
"""

from enum import StrEnum

from yiwang.core.errors import Conflict
from yiwang.notifications.models import MessageStatus


class MessageAction(StrEnum):
    DELIVER = "deliver"  # the channel took the message
    DEFER = "defer"  # a transient failure: try again after the back-off
    GIVE_UP = "give_up"  # a permanent failure, or the last allowed attempt failed
    RETRY = "retry"  # staff put a failed message back in the queue ("retry now")


TRANSITIONS: dict[tuple[MessageStatus, MessageAction], MessageStatus] = {
    (MessageStatus.PENDING, MessageAction.DELIVER): MessageStatus.SENT,
    (MessageStatus.PENDING, MessageAction.DEFER): MessageStatus.PENDING,
    (MessageStatus.PENDING, MessageAction.GIVE_UP): MessageStatus.FAILED,
    (MessageStatus.FAILED, MessageAction.RETRY): MessageStatus.PENDING,
}

_REFUSALS = {
    MessageAction.RETRY: "只有发送失败的消息可以重新发送。",
}


def message_next_status(status: str, action: MessageAction) -> MessageStatus:
    """The status after `action` on a message in `status`; Conflict for a forbidden pair."""
    key = (MessageStatus(status), action)
    if key not in TRANSITIONS:
        label = MessageStatus(status).label
        raise Conflict(_REFUSALS.get(action, f"状态为“{label}”的消息不能执行 {action.value}。"))
    return TRANSITIONS[key]
