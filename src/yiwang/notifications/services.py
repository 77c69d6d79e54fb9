"""Outbox writes.

`message_enqueue` is called by other apps' services *inside their transaction*: the
message rows commit with the change they report or not at all, and delivery is scheduled
with `transaction.on_commit`, so nothing is sent for a change that rolled back.
`messages_deliver_pending` drains the outbox (the worker's periodic job, and an
after-commit kick where the task backend pushes). The recipient's writes: `message_mark_read`,
`messages_mark_all_read`, `channel_preferences_set`; the platform operator's: `message_retry`.
Every status change goes through `workflow.message_next_status`.

Channel choice: in-app messages always go out; e-mail and SMS only while the recipient keeps
that channel on (`User.notify_by_email` / `notify_by_sms`) *and* has an address for it. A
channel that is off or has no address gets no row at all (nothing to retry, nothing to show
as failed): the person's choice, not a delivery fault.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied
from yiwang.ledger.events import Domain, NotificationVerb, event_type
from yiwang.ledger.services import ledger_append
from yiwang.notifications.channels import PermanentFailure, channel_for, recipient_address
from yiwang.notifications.models import Channel, Message, MessageStatus, NotificationEvent
from yiwang.notifications.policy import require_outbox_operator
from yiwang.notifications.workflow import MessageAction, message_next_status

logger = logging.getLogger("yiwang.notifications")

MAX_ATTEMPTS = 5
_RETRY_AFTER = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]


def message_enqueue(
    *,
    recipient: User,
    subject: str,
    body: str,
    channels: Iterable[str] = (Channel.IN_APP,),
    reference: str = "",
    asked_for: bool = False,
    secret: str = "",
    secret_at: int | None = None,
    secret_until: dt.datetime | None = None,
) -> list[Message]:
    """Queue one message per channel for `recipient`; delivered after the caller commits.

    Channels the recipient turned off or has no address for (no e-mail, no phone) are
    skipped; with `asked_for` (a message the person is waiting for right now, such as a
    one-time code) only those without an address. Must run inside the caller's transaction.
    A `secret` in the body (a one-time code) at offset `secret_at` (where the sender put it:
    the same digits may also stand elsewhere in the text, in an item's name say) is kept in the
    stored row only until the message is delivered or given up, the sender calls
    `messages_redact`, or `secret_until`.
    """
    if secret and (secret_at is None or body[secret_at : secret_at + len(secret)] != secret):
        raise ValueError("message_enqueue: secret_at must be the offset of the secret in the body")
    created = messages_enqueue_batch(
        batch=[(recipient, subject, body)], channels=channels, reference=reference, asked_for=asked_for
    )
    if secret and secret_at is not None:
        start = secret_at
        for message in created:
            message.secret_start, message.secret_end = start, start + len(secret)
            message.secret_until = secret_until or clock.now() + dt.timedelta(days=1)
        Message.objects.bulk_update(created, _SECRET_FIELDS)
    return created


_SECRET_FIELDS = ["body", "secret_start", "secret_end", "secret_until", "secret_blanked_at"]


def _redact_locked(rows: Iterable[Message]) -> int:
    """Blank the secret of each row (locked by the caller), forget where it was, and note when
    (such a message is never sent again: it would carry "******")."""
    changed = []
    now = clock.now()
    for row in rows:
        if row.secret_start is None or row.secret_end is None:
            continue
        row.body = row.body[: row.secret_start] + "*" * (row.secret_end - row.secret_start) + row.body[row.secret_end :]
        row.secret_start = row.secret_end = row.secret_until = None
        row.secret_blanked_at = now
        changed.append(row)
    Message.objects.bulk_update(changed, _SECRET_FIELDS)
    return len(changed)


def messages_redact(*, reference: str) -> int:
    """The sender says the secrets of its messages `reference` are used or void: blank them in
    the stored rows (the rest of the text stays). Inside the sender's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("messages_redact must run inside the transaction of the change that voids the secret")
    return _redact_locked(
        Message.objects.select_for_update().filter(reference=reference, secret_start__isnull=False).order_by("id")
    )


def messages_redact_expired() -> int:
    """The worker (every minute): blank the secrets kept past their `secret_until`."""
    with transaction.atomic(durable=True):
        rows = Message.objects.select_for_update(skip_locked=True).filter(
            secret_start__isnull=False, secret_until__lte=clock.now()
        )
        return _redact_locked(rows.order_by("id")[:1000])


def _redact_delivered(ids: list[int]) -> None:
    """After a delivery run: the secrets of the rows now sent or failed for good are blanked."""
    if not ids:
        return
    with transaction.atomic():
        rows = Message.objects.select_for_update().filter(
            pk__in=ids, secret_start__isnull=False, status__in=[MessageStatus.SENT, MessageStatus.FAILED]
        )
        _redact_locked(rows.order_by("id"))


def messages_enqueue_batch(
    *,
    batch: Iterable[tuple[User, str, str] | tuple[User, str, str, str]],
    channels: Iterable[str] = (Channel.IN_APP,),
    reference: str = "",
    asked_for: bool = False,
) -> list[Message]:
    """Queue (recipient, subject, body) messages on `channels`, in one INSERT; an item may carry
    its own reference as a fourth element (else `reference`).

    With NOTIFICATIONS_KICK_AFTER_COMMIT (task backends that push: RQ, immediate) one
    delivery kick per transaction is registered; the database task backend polls, so there
    the worker's periodic deliver_pending job is the kick (settings.PERIODIC_TASKS).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("message_enqueue must run inside the transaction of the change it reports")
    now = clock.now()
    created: list[Message] = []
    for recipient, subject, body, *own in batch:
        for channel in dict.fromkeys(channels):
            message = Message(
                recipient=recipient,
                channel=channel,
                subject=subject[:200],
                body=body,
                reference=(own[0] if own else reference)[:80],
                created_at=now,
                next_attempt_at=now,
            )
            if (asked_for or wants(recipient, channel)) and (channel == Channel.IN_APP or recipient_address(message)):
                created.append(message)
    Message.objects.bulk_create(created)
    urgent = [m.pk for m in created if m.pk is not None and m.channel != Channel.IN_APP] if asked_for else []
    if urgent:  # a person is waiting for it: sent on its own, not behind the outbox's backlog
        transaction.on_commit(lambda: _deliver_now(urgent), robust=True)
    kick = settings.NOTIFICATIONS_KICK_AFTER_COMMIT
    if created and kick and not any(callback is _kick_delivery for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_kick_delivery, robust=True)
    return created


def wants(user: User, channel: str) -> bool:
    """Whether `user` takes messages on `channel` (in-app always; the others by choice)."""
    if channel == Channel.EMAIL:
        return user.notify_by_email
    if channel == Channel.SMS:
        return user.notify_by_sms
    return True


def _kick_delivery() -> None:
    """After commit: hand the outbox to the task backend (the worker, or at once in tests)."""
    from yiwang.notifications.tasks import deliver_pending

    deliver_pending.enqueue()


def _deliver_now(ids: list[int]) -> None:
    """After commit: hand these messages to the task backend on their own (deliver_now)."""
    from yiwang.notifications.tasks import deliver_now

    deliver_now.enqueue(ids)


def messages_deliver_pending(*, limit: int = 200, ids: Iterable[int] | None = None) -> int:
    """Send due pending messages through their channels; returns how many were sent.

    In-app rows need no I/O and are marked sent in the claiming transaction. E-mail and SMS
    rows are *claimed* there (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, then leased:
    their next attempt moves CLAIM_LEASE ahead, so no other worker takes them meanwhile) and
    sent after it commits, each outcome recorded in its own short transaction: a slow mail
    server or gateway never holds a row lock or SQLite's write lock. At most REMOTE_CLAIM
    remote rows are claimed at a time, and a row is sent only while at least SEND_MARGIN of
    its lease is left, so a claim never runs out under a send: another worker cannot take a
    row this one is still going to send. The outcome is written only if the row still
    carries this claim. A transient failure leaves the row pending with a growing back-off
    until MAX_ATTEMPTS, then fails it; a permanent one (PermanentFailure: the gateway's 4xx, a
    refused recipient) fails it at once. A worker that dies mid-send leaves its claim to
    expire: sent again (at least once). With `ids`, only those messages (`deliver_now`: a
    one-time code someone is waiting for does not queue behind a backlog).
    """
    with transaction.atomic():
        now = clock.now()
        due = Message.objects.select_for_update(skip_locked=True).filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        batch = list(due.select_related("recipient").order_by("id")[:limit])
        local = [m for m in batch if m.channel == Channel.IN_APP]
        remote = [m for m in batch if m.channel != Channel.IN_APP][:REMOTE_CLAIM]
        for message in local:
            _record(message, _attempt(message), now)
        Message.objects.bulk_update(local, _OUTCOME_FIELDS)
        lease_until = now + CLAIM_LEASE
        Message.objects.filter(pk__in=[m.pk for m in remote]).update(next_attempt_at=lease_until)
    sent = sum(1 for m in local if m.status == MessageStatus.SENT)
    for message in remote:
        if clock.now() > lease_until - SEND_MARGIN:
            break  # the rest of the claim lapses untouched; the next run takes those rows
        outcome = _attempt(message)
        _record(message, outcome, clock.now())
        with transaction.atomic():
            kept = Message.objects.filter(
                pk=message.pk, status=MessageStatus.PENDING, next_attempt_at=lease_until
            ).update(**{field: getattr(message, field) for field in _OUTCOME_FIELDS})
        if not kept:
            logger.error("notification %s: its claim was lost before the outcome was recorded", message.pk)
        elif message.status == MessageStatus.SENT:
            sent += 1
    _redact_delivered(
        [m.pk for m in (*local, *remote) if m.secret_start is not None and m.status != MessageStatus.PENDING]
    )
    return sent


# How long a claim keeps other workers off a row (NOTIFICATIONS_CLAIM_LEASE_SECONDS, 300 by
# default): a worker killed mid-send delays its rows this long.
CLAIM_LEASE = dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)
# Remote rows one run claims, and the lease that must be left to start a send: a send takes
# at most the channel's timeout (10 s SMTP/SMS by default) and Django's SMTP may retry once.
REMOTE_CLAIM = 20
SEND_MARGIN = min(dt.timedelta(minutes=1), CLAIM_LEASE / 2)
_OUTCOME_FIELDS = ["attempts", "status", "sent_at", "last_error", "next_attempt_at", "receipt"]
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def mask_error(text: str) -> str:
    """An error as stored and shown to the operator: phone numbers and e-mail addresses a
    gateway or mail server echoes back are masked like everywhere else."""
    return _EMAIL.sub(r"\1***@\2", _PHONE.sub(r"\1****\2", text))


def _attempt(message: Message) -> Exception | str:
    """Hand `message` to its channel: the receipt ("" if none), or the error it raised."""
    try:
        return channel_for(message.channel).send(message) or ""
    except Exception as exc:  # any plugin error is recorded and retried, never lost
        return exc


def _record(message: Message, outcome: Exception | str, now: dt.datetime) -> None:
    message.attempts += 1
    if isinstance(outcome, str):
        message.status = message_next_status(message.status, MessageAction.DELIVER)
        message.sent_at = now
        message.last_error = ""
        message.receipt = outcome[:100]
        return
    message.last_error = mask_error(f"{type(outcome).__name__}: {outcome}")[:2000]
    if isinstance(outcome, PermanentFailure) or message.attempts >= MAX_ATTEMPTS:
        message.status = message_next_status(message.status, MessageAction.GIVE_UP)
        logger.error("notification %s failed for good: %s", message.pk, message.last_error)
    else:
        message.status = message_next_status(message.status, MessageAction.DEFER)
        message.next_attempt_at = now + _RETRY_AFTER[min(message.attempts - 1, len(_RETRY_AFTER) - 1)]


def message_mark_read(*, actor: User, message_id: int) -> Message:
    """The recipient marks an in-app message read (nobody else can)."""
    with transaction.atomic(durable=True):
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, recipient=actor, channel=Channel.IN_APP, status=MessageStatus.SENT)
            .first()
        )
        if message is None:
            raise NotFound("消息不存在。")
        if message.read_at is None:
            message.read_at = clock.now()
            message.save(update_fields=["read_at"])
    return message


def messages_mark_all_read(*, actor: User) -> int:
    """The recipient marks every unread in-app message read; returns how many."""
    with transaction.atomic(durable=True):
        return Message.objects.filter(
            recipient=actor, channel=Channel.IN_APP, status=MessageStatus.SENT, read_at__isnull=True
        ).update(read_at=clock.now())


def message_retry(*, actor: User, message_id: int) -> Message:
    """ "Retry now": the platform operator puts a failed e-mail/SMS back in the queue, due at
    once, with a fresh attempt budget; the worker (or the after-commit kick) sends it. A
    message whose one-time code was blanked is refused: it would arrive as "******" (the
    sender — a 帮办 clerk, say — sends a new code instead)."""
    require_outbox_operator(actor)
    with transaction.atomic(durable=True):
        message = Message.objects.select_for_update().filter(pk=message_id).exclude(channel=Channel.IN_APP).first()
        if message is None:
            raise NotFound("消息不存在。")
        message.status = message_next_status(message.status, MessageAction.RETRY)
        if message.secret_blanked_at is not None:
            raise Conflict(
                f"消息 {message.pk} 含一次性验证码，验证码已作废并从存档中抹去，不能重新发送："
                "请由发送方（如帮办窗口）重新发送新的验证码。"
            )
        message.attempts = 0
        message.next_attempt_at = clock.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        _event(
            verb=NotificationVerb.MESSAGE_RETRIED,
            actor=actor,
            subject=f"message:{message.pk}",
            payload={"channel": message.channel, "reference": message.reference},
        )
        if settings.NOTIFICATIONS_KICK_AFTER_COMMIT:
            transaction.on_commit(_kick_delivery, robust=True)
    return message


def channel_preferences_set(*, actor: User, email: bool, sms: bool) -> User:
    """A person turns e-mail and SMS notices on or off (in-app messages always arrive)."""
    if not actor.is_authenticated:
        raise PermissionDenied("请先登录。")
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.notify_by_email = email
        user.notify_by_sms = sms
        user.save(update_fields=["notify_by_email", "notify_by_sms"])
        _event(
            verb=NotificationVerb.CHANNELS_SET,
            actor=actor,
            subject=f"user:{user.pk}",
            payload={"email": email, "sms": sms},
        )
    return user


def _event(*, verb: NotificationVerb, actor: User, subject: str, payload: dict[str, object]) -> None:
    kind = event_type(Domain.NOTIFICATIONS, verb).kind
    entry = ledger_append(kind=kind, subject=subject, payload=payload, personal={})
    NotificationEvent.objects.create(
        verb=verb, actor=actor, subject=subject, payload=payload, at=clock.now(), ledger_entry_id=entry.pk
    )
