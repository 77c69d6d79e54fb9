"""Reading 异地代收代办 (收受分离): the hand-over record as both windows see it, and their lists.

Selectors only (the services are in services/handover.py). The intake window of another
region lists the cases handed in there, whatever their state (it follows them to the end
but acts only while they are its own); the implementing authority's window lists those
handed over and waiting for its receipt (待接收).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from yiwang.accounts.models import Role, User
from yiwang.cases.clock import handover_level
from yiwang.cases.inbox import Urgency
from yiwang.cases.models import Case, Handover
from yiwang.cases.policy import posts_of, staff_case_filter
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


def handover_urgency(case: Case, today: dt.date, calendar: WorkdayCalendar) -> Urgency:
    """A case waiting at the intake window, as an inbox row: due on the hand-over day."""
    row = getattr(case, "handover", None)
    if row is None or row.sent_at is not None or row.due_on is None:
        return Urgency()
    level = handover_level(row.due_on, today=today, sent=False)
    try:
        days_left = calendar.working_days_between(today, row.due_on) if today <= row.due_on else None
    except YearNotConfigured:
        days_left = None
    return Urgency(row.due_on, days_left, "normal" if level == "normal" else level)  # type: ignore[arg-type]


def awaiting_handover(user: User) -> QuerySet[Case]:
    """The intake window's queue: applications handed in at the user's windows, to check and hand over."""
    return intake_window_cases(user).filter(status=CaseStatus.INTAKE_PENDING)


def _windows(user: User) -> list[int]:
    return [p.department_id for p in posts_of(user) if p.role == Role.WINDOW_CLERK]


def intake_window_cases(user: User) -> QuerySet[Case]:
    """异地收件: the cases handed in at the user's windows, those waiting for hand-over first."""
    windows = _windows(user)
    cases = Case.objects.filter(intake_department_id__in=windows).select_related(
        "implementation_version__item_version", "department", "handover"
    )
    return cases.order_by("submitted_at", "id") if windows else cases.none()


def arriving_cases(user: User) -> QuerySet[Case]:
    """待接收: cases other regions' windows handed over to the user's departments."""
    windows = _windows(user)
    if not windows:
        return Case.objects.none()
    visible = Case.objects.filter(staff_case_filter(user), status=CaseStatus.HANDED_OVER)
    visible = visible.exclude(intake_department_id__in=windows)  # sent by this window, not to it
    return visible.select_related("implementation_version__item_version", "intake_department").order_by(
        "submitted_at", "id"
    )
