"""What a row of a case or task list shows, read as plain values (issue 18).

A list row shows a few columns of a case and the names of what it points to (the item, the
department, the enterprise or the applicant). Read as model instances with `select_related`,
every row built six or seven instances and decoded the JSON columns of the wide catalog and
case rows it never showed (≈ 300 instances and 550 JSON decodes a page). Here one
`values_list` reads exactly the columns shown, names included through their joins (the
catalog rows by primary key: PostgreSQL fetches the name, not the JSON around it), and each
row is a small frozen dataclass. These readers only choose columns: which rows a user may see
is decided by the selector whose queryset they are given (`cases.selectors`, `cases.inbox`,
`cases.case_list`).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from yiwang.cases.models import Case, Task
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.core.identifiers import mask_name


def masked_applicant(enterprise_name: str | None, real_name: str | None) -> str:
    """Who applied, as staff lists show it: the enterprise, or the person's masked name."""
    if enterprise_name is not None:
        return enterprise_name
    return mask_name(real_name) if real_name is not None else "申请人"


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as a list shows it."""

    pk: int
    number: str | None
    status: str
    submitted_at: dt.datetime | None
    received_on: dt.date | None
    due_date: dt.date | None
    committed_due_date: dt.date | None
    item_name: str
    department_name: str
    enterprise_name: str | None
    applicant_real_name: str | None  # the applicant's 实名 (None: no person behind the account)
    ref: Any = None  # the draft's reference (uuid)

    @property
    def status_label(self) -> str:
        return str(CaseStatus(self.status).label)

    @property
    def applicant_masked(self) -> str:
        return masked_applicant(self.enterprise_name, self.applicant_real_name)


_CASE_COLUMNS = (
    "id",
    "number",
    "status",
    "submitted_at",
    "received_on",
    "due_date",
    "committed_due_date",
    "implementation_version__item_version__name",
    "department__name",
    "enterprise__name",
    "applicant__person__real_name",
    "ref",
)


def case_values(cases: QuerySet[Case]) -> QuerySet[Case, tuple[Any, ...]]:
    """`cases` (filtered and ordered by a selector) as the tuples of `CaseRow`, for a paginator."""
    return cases.select_related(None).values_list(*_CASE_COLUMNS)


def case_rows(values: Iterable[tuple[Any, ...]]) -> list[CaseRow]:
    return [CaseRow(*row) for row in values]


def case_rows_by(cases: QuerySet[Case], keys: list[Any], field: str = "id") -> list[CaseRow]:
    """The rows of the cases whose `field` is in `keys`, in the order of `keys` (a page
    chosen elsewhere, by id or by number)."""
    index = 0 if field == "id" else _CASE_COLUMNS.index(field)
    found = {row[index]: row for row in case_values(cases.filter(**{f"{field}__in": keys}))}
    return [CaseRow(*found[key]) for key in keys if key in found]


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task of the inbox as a list shows it, with its case's number, item and applicant."""

    pk: int
    key: str
    name: str
    kind: str
    role: str
    status: str
    assignee_id: int | None
    due_date: dt.date | None
    warning_date: dt.date | None
    stage_name: str | None
    department_name: str
    assignee_display_name: str | None
    assignee_username: str | None
    case_number: str | None
    item_name: str
    enterprise_name: str | None
    applicant_real_name: str | None

    @property
    def status_label(self) -> str:
        return str(TaskStatus(self.status).label)

    @property
    def assignee_label(self) -> str | None:
        """The assignee as `str(user)` shows them (display name, else username)."""
        if self.assignee_id is None:
            return None
        return self.assignee_display_name or self.assignee_username

    @property
    def applicant_masked(self) -> str:
        return masked_applicant(self.enterprise_name, self.applicant_real_name)


_TASK_COLUMNS = (
    "id",
    "key",
    "name",
    "kind",
    "role",
    "status",
    "assignee_id",
    "due_date",
    "warning_date",
    "stage__name",
    "department__name",
    "assignee__display_name",
    "assignee__username",
    "case__number",
    "case__implementation_version__item_version__name",
    "case__enterprise__name",
    "case__applicant__person__real_name",
)


def task_rows_by(ids: list[int]) -> list[TaskRow]:
    """The rows of tasks `ids` (a page chosen by the inbox), in the order of `ids`."""
    found = {row[0]: row for row in Task.objects.filter(id__in=ids).order_by().values_list(*_TASK_COLUMNS)}
    return [TaskRow(*found[pk]) for pk in ids if pk in found]
