"""Outbox reads: a person's in-app inbox, its unread count, and the delivery status of
e-mail and SMS for the platform operator (recipients masked)."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import Case, QuerySet, Value, When

from yiwang.accounts.models import User
from yiwang.core.errors import NotFound
from yiwang.core.identifiers import mask_name
from yiwang.notifications.channels import recipient_address
from yiwang.notifications.models import Channel, Message, MessageStatus
from yiwang.notifications.policy import require_outbox_operator
from yiwang.notifications.workflow import TRANSITIONS, MessageAction


def inbox_for(user: User) -> QuerySet[Message]:
    """In-app messages delivered to `user`, newest first."""
    return Message.objects.filter(recipient=user, channel=Channel.IN_APP, status=MessageStatus.SENT).order_by(
        "-created_at", "-id"
    )


def unread_count(user: User) -> int:
    """The unread messages of `inbox_for(user)`: one count over the partial index
    `message_unread`. The header shows it on every page, so it is written in SQL: the ORM spent
    ≈ 0.5 ms of Python building this one statement, four times the statement's own cost
    (docs/performance-cpu.md, "Rendering a page"; a test holds it equal to the ORM's count)."""
    if not user.is_authenticated:
        return 0
    database = connections[router.db_for_read(Message)]
    table = database.ops.quote_name(Message._meta.db_table)
    with database.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE recipient_id = %s AND channel = %s AND status = %s"  # noqa: S608
            " AND read_at IS NULL",
            [user.pk, Channel.IN_APP.value, MessageStatus.SENT.value],
        )
        return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class InboxRow:
    id: int
    subject: str
    body: str
    created_at: dt.datetime
    unread: bool
    case_number: str  # "" when the message is not about a case
    license_identifier: str = ""  # the e-license a notice is about ("license:<identifier>"), else ""


INBOX_PAGE_SIZE = 20
LICENSE_PREFIX = "license:"  # licenses.services.license_reference (notifications sit below licenses)


def inbox_page(user: User, page_number: str | int | None) -> tuple[Page[Message], list[InboxRow]]:
    """One page of `user`'s inbox (newest first) and its rows."""
    page = Paginator(inbox_for(user), INBOX_PAGE_SIZE).get_page(page_number)
    rows = [
        InboxRow(
            id=m.pk,
            subject=m.subject,
            body=m.body,
            created_at=m.created_at,
            unread=m.read_at is None,
            case_number=_after("case:", m.reference),
            license_identifier=_after(LICENSE_PREFIX, m.reference),
        )
        for m in page.object_list
    ]
    return page, rows


def _after(prefix: str, reference: str) -> str:
    return reference.removeprefix(prefix) if reference.startswith(prefix) else ""


def reference_of(user: User, message_id: int) -> str:
    """What an in-app message of `user` is about (`case:…`, `license:…` or ""); NotFound if not theirs."""
    reference = inbox_for(user).filter(pk=message_id).values_list("reference", flat=True).first()
    if reference is None:
        raise NotFound("消息不存在。")
    return str(reference)


def case_number_of(user: User, message_id: int) -> str:
    """The case number an in-app message of `user` is about ("" if none); NotFound if not theirs."""
    return _after("case:", reference_of(user, message_id))


def license_identifier_of(user: User, message_id: int) -> str:
    """The e-license an in-app message of `user` is about ("" if none); NotFound if not theirs."""
    return _after(LICENSE_PREFIX, reference_of(user, message_id))


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    channel: str
    channel_label: str
    recipient: str  # masked address
    recipient_name: str
    subject: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    receipt: str
    retryable: bool
    code_blanked: bool  # its one-time code was blanked: never sent again


def outbound_for(user: User, *, status: str = "", channel: str = "") -> QuerySet[Message]:
    """E-mail and SMS rows for the operator's delivery page, failed and pending first."""
    require_outbox_operator(user)
    rows = Message.objects.exclude(channel=Channel.IN_APP).select_related("recipient")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    if channel in (Channel.EMAIL, Channel.SMS):
        rows = rows.filter(channel=channel)
    first = Case(
        When(status=MessageStatus.FAILED, then=Value(0)), When(status=MessageStatus.PENDING, then=Value(1)), default=2
    )
    return rows.order_by(first, "-id")


def delivery_row(message: Message) -> DeliveryRow:
    return DeliveryRow(
        id=message.pk,
        channel=message.channel,
        channel_label=Channel(message.channel).label,
        recipient=recipient_address(message, masked=True) or "（无地址）",
        recipient_name=mask_name(str(message.recipient)),
        subject=message.subject,
        status=message.status,
        status_label=MessageStatus(message.status).label,
        attempts=message.attempts,
        last_error=message.last_error,
        next_attempt_at=message.next_attempt_at if message.status == MessageStatus.PENDING else None,
        created_at=message.created_at,
        sent_at=message.sent_at,
        receipt=message.receipt,
        # A blanked one-time code would go out as "******": its sender sends a new code instead.
        retryable=(MessageStatus(message.status), MessageAction.RETRY) in TRANSITIONS
        and message.secret_blanked_at is None,
        code_blanked=message.secret_blanked_at is not None,
    )


@dataclass(frozen=True)
class OutboxBacklog:
    """The delivery figures an operator alarms on (over the `message_due` index)."""

    pending: int
    failed: int
    oldest_due: dt.datetime | None  # the longest-waiting message whose attempt is due


def outbox_backlog(*, now: dt.datetime) -> OutboxBacklog:
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    due = pending.filter(next_attempt_at__lte=now).order_by("next_attempt_at")
    return OutboxBacklog(
        pending=pending.count(),
        failed=Message.objects.filter(status=MessageStatus.FAILED).count(),
        oldest_due=due.values_list("next_attempt_at", flat=True).first(),
    )
