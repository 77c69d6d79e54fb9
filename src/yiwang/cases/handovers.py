"""Reading 异地代收代办 (收受分离): the hand-over record as both windows see it, and their lists.

Selectors only (the services are in services/handover.py). The intake window of another
region lists the cases handed in there to hand over; the implementing authority's window
lists those handed over and waiting for its receipt (待接收). Both follow the case in 办件查询
(policy.staff_case_filter).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q

from yiwang.accounts.models import Role, User
from yiwang.cases.clock import handover_level
from yiwang.cases.inbox import Urgency
from yiwang.cases.models import Case, Handover
from yiwang.cases.policy import posts_of
from yiwang.cases.rows import masked_applicant, with_case_names
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.core.workdays import WorkdayCalendar, YearNotConfigured

LEVEL_LABELS = {
    "normal": "待移交",
    "warning": "今日应移交",
    "overdue": "超期未移交",
    "sent": "已移交",
}


@dataclass(frozen=True)
class HandoverView:
    intake_department: str
    handling_department: str
    intake_on: dt.date
    due_on: dt.date | None
    level: str
    level_label: str
    sent_by: str
    sent_at: dt.datetime | None
    sent_entry_id: int | None
    mail_reference: str
    materials: list[dict[str, str]]
    digest: str
    received_by: str
    received_at: dt.datetime | None
    received_entry_id: int | None

    @property
    def received(self) -> bool:
        return self.received_at is not None


def handover_view(case: Case) -> HandoverView | None:
    """The case's hand-over record (None for an application made to the authority itself)."""
    if case.intake_department_id is None:
        return None
    row = (
        Handover.objects.select_related("intake_department", "sent_by", "received_by", "case__department")
        .filter(case_id=case.pk)
        .first()
    )
    if row is None:
        return None
    level = handover_level(row.due_on, today=clock.today(), sent=row.sent_at is not None)
    return HandoverView(
        intake_department=row.intake_department.name,
        handling_department=row.case.department.name,
        intake_on=row.intake_on,
        due_on=row.due_on,
        level=level,
        level_label=LEVEL_LABELS[level],
        sent_by=str(row.sent_by) if row.sent_by is not None else "",
        sent_at=row.sent_at,
        sent_entry_id=row.sent_entry_id,
        mail_reference=row.mail_reference,
        materials=list(row.materials),
        digest=row.digest,
        received_by=str(row.received_by) if row.received_by is not None else "",
        received_at=row.received_at,
        received_entry_id=row.received_entry_id,
    )


@dataclass(frozen=True, slots=True)
class HandoverRow:
    """A case of 异地代收代办 as the workbench inbox shows it, read as plain values
    (cases.rows: no model instance, no JSON column decoded)."""

    pk: int
    number: str | None
    status: str
    intake_department_id: int | None
    item_name: str
    department_name: str
    intake_department_name: str | None
    enterprise_name: str | None
    applicant_real_name: str | None
    sent_at: dt.datetime | None  # the hand-over record's (None: not sent, or no record)
    due_on: dt.date | None

    @property
    def applicant_masked(self) -> str:
        return masked_applicant(self.enterprise_name, self.applicant_real_name)


_HANDOVER_COLUMNS = (
    "id",
    "number",
    "status",
    "intake_department_id",
    "item_name",
    "department_name",
    "intake_department_name",
    "enterprise_name",
    "applicant_real_name",
    "handover__sent_at",
    "handover__due_on",
)


def handover_urgency(case: HandoverRow, today: dt.date, calendar: WorkdayCalendar) -> Urgency:
    """A case waiting at the intake window, as an inbox row: due on the hand-over day."""
    if case.sent_at is not None or case.due_on is None:
        return Urgency()
    level = handover_level(case.due_on, today=today, sent=False)
    try:
        days_left = calendar.working_days_between(today, case.due_on) if today <= case.due_on else None
    except YearNotConfigured:
        days_left = None
    return Urgency(case.due_on, days_left, "normal" if level == "normal" else level)  # type: ignore[arg-type]


def handover_inbox(user: User, *, limit: int) -> tuple[list[HandoverRow], list[HandoverRow]]:
    """The inbox rows of 异地代收代办 for a window clerk, with one read of their posts (none
    for other staff): what was handed in at their windows to hand over, oldest first, and
    what other regions' windows handed over to their departments (待接收); each list up to
    `limit` + 1 rows (the caller shows `limit` and says "more" past them), the shown columns
    only."""
    windows = [p for p in posts_of(user) if p.role == Role.WINDOW_CLERK]
    if not windows:
        return [], []
    ids = [p.department_id for p in windows]
    scope = Q(pk__in=[])
    for post in windows:
        scope |= post.case_scope()
    to_send = Q(intake_department_id__in=ids, status=CaseStatus.INTAKE_PENDING)
    # handed over to these windows' departments (not sent by them)
    to_receive = scope & Q(status=CaseStatus.HANDED_OVER) & ~Q(intake_department_id__in=ids)
    rows = (
        with_case_names(Case.objects.all())
        .annotate(intake_department_name=F("intake_department__name"))
        .order_by("submitted_at", "id")
    )
    # each list read with its own limit: a long queue of one cannot hide the other
    awaiting, arriving = (
        [HandoverRow(*row) for row in rows.filter(which).values_list(*_HANDOVER_COLUMNS)[: limit + 1]]
        for which in (to_send, to_receive)
    )
    return awaiting, arriving
