"""What a row of a case or task list shows, read as plain values (issue 18).

A list row shows a few columns of a case and the names of what it points to (the item, the
department, the enterprise or the applicant). Read as model instances with `select_related`,
every row built six or seven instances and decoded the JSON columns of the wide catalog and
case rows it never showed (≈ 300 instances and 550 JSON decodes a page). Here one
`values_list` reads exactly the columns shown, the names included (PostgreSQL fetches a name,
not the JSON around it), and each row is a small frozen dataclass. These readers only choose
columns: which rows a user may see is decided by the selector whose queryset they are given
(`cases.selectors`, `cases.inbox`, `cases.case_list`).

The names are scalar subqueries in the select list, not joins (ADR 0036's amendment): with
four to six joined tables PostgreSQL spent 1.1–3.9 ms planning a page's read (the order of a
seven-table join, against the case table's two dozen indexes) for 0.3–0.5 ms of execution;
each subquery is planned alone, in microseconds, and runs only for the rows of the page. They
are raw SQL naming the outer table: the ORM's `Subquery(OuterRef(…))` gives the same SQL but
costs 0.4–0.7 ms more Python per page to build (measured). So a queryset of these readers is
evaluated as it is (sliced, counted, paged), never nested in another query as a subquery: its
"cases_case" would then name the outer query's table.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Model, QuerySet
from django.db.models.expressions import RawSQL

from yiwang.accounts.models import Department, Enterprise, NaturalPerson, User
from yiwang.cases.models import Case, Stage, Task
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.catalog.models import ImplementationVersion, ItemVersion
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


def _table(model: type[Model]) -> str:
    return f'"{model._meta.db_table}"'


def _name(row: type[Model], column: str, model: type[Model], *, key: str = "id", name: str = "name") -> RawSQL:
    """The `name` of the `model` row whose `key` is `row`'s `column`: one scalar subquery."""
    table = _table(model)
    sql = f'(SELECT {table}."{name}" FROM {table} WHERE {table}."{key}" = {_table(row)}."{column}")'  # noqa: S608
    return RawSQL(sql, (), output_field=CharField())  # noqa: S611 — the models' identifiers, no input


def _item_name() -> RawSQL:
    """The item's name of a case (through the pinned implementation version)."""
    sql = (
        f'(SELECT iv."name" FROM {_table(ItemVersion)} iv JOIN {_table(ImplementationVersion)} v '  # noqa: S608
        f'ON v."item_version_id" = iv."id" WHERE v."id" = {_table(Case)}."implementation_version_id")'
    )
    return RawSQL(sql, (), output_field=CharField())  # noqa: S611 — the models' identifiers, no input


# The names a case row shows, read in its select list (the row's table is "cases_case": the
# selector's queryset, or the one join a task row makes to its case).
_CASE_NAMES = {
    "item_name": _item_name(),
    "department_name": _name(Case, "department_id", Department),
    "enterprise_name": _name(Case, "enterprise_id", Enterprise),
    "applicant_real_name": _name(Case, "applicant_id", NaturalPerson, key="user_id", name="real_name"),
}


def with_case_names(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`cases` annotated with the names a row shows: item_name, department_name,
    enterprise_name and applicant_real_name (None: no person behind the account)."""
    return cases.annotate(**_CASE_NAMES)


_CASE_COLUMNS = (
    "id",
    "number",
    "status",
    "submitted_at",
    "received_on",
    "due_date",
    "committed_due_date",
    "item_name",
    "department_name",
    "enterprise_name",
    "applicant_real_name",
    "ref",
)


def case_values(cases: QuerySet[Case]) -> QuerySet[Case, tuple[Any, ...]]:
    """`cases` (filtered and ordered by a selector) as the tuples of `CaseRow`, for a paginator
    or a slice; not for use inside another query (see the module's docstring)."""
    return with_case_names(cases.select_related(None)).values_list(*_CASE_COLUMNS)


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
    "stage_name",
    "department_name",
    "assignee_display_name",
    "assignee_username",
    "case__number",  # the one join: the case's own columns are read through it
    "item_name",
    "enterprise_name",
    "applicant_real_name",
)
_TASK_NAMES = {
    "stage_name": _name(Task, "stage_id", Stage),
    "department_name": _name(Task, "department_id", Department),
    "assignee_display_name": _name(Task, "assignee_id", User, name="display_name"),
    "assignee_username": _name(Task, "assignee_id", User, name="username"),
    **{k: v for k, v in _CASE_NAMES.items() if k != "department_name"},
}


def task_rows_by(ids: list[int]) -> list[TaskRow]:
    """The rows of tasks `ids` (a page chosen by the inbox), in the order of `ids`."""
    found = {
        row[0]: row
        for row in Task.objects.filter(id__in=ids).order_by().annotate(**_TASK_NAMES).values_list(*_TASK_COLUMNS)
    }
    return [TaskRow(*found[pk]) for pk in ids if pk in found]
