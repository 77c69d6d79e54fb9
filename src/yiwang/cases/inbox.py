"""The task inbox: what waits for a member of staff, most urgent first.

A selector of the case engine in a module of its own: the page is read in a way a QuerySet
cannot express (a UNION ALL of one branch per post, each served by its own partial index).
Visibility is the same as `selectors.task_for`: a post's open tasks and one's own claimed.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from django.db import connections
from django.db.models import F, Q, QuerySet

from yiwang.accounts.models import User
from yiwang.accounts.selectors import staff_roles_of
from yiwang.cases.clock import ACCEPTANCE_WINDOW_DAYS, ClockEntry, ClockState, deemed_acceptance_after, derive
from yiwang.cases.deadlines import clock_entry, warning_share
from yiwang.cases.models import ClockEvent, Task
from yiwang.cases.rows import CaseRow, TaskRow, task_rows_by
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.core.workdays import WorkdayCalendar, YearNotConfigured

# Most urgent first: the order of the partial indexes task_queue_open / task_queue_claimed.
INBOX_ORDER = (F("due_date").asc(nulls_last=True), F("created_at").asc(), F("id").asc())


def _task_inbox_branches(user: User) -> list[Q]:
    """One condition per (role, department) post of `user` over open tasks, and one over the
    tasks they claimed: each is served by one partial index."""
    posts = sorted({(sr.department_id, sr.role) for sr in staff_roles_of(user)})
    branches = [Q(department_id=department_id, role=role, status=TaskStatus.OPEN) for department_id, role in posts]
    return [*branches, Q(assignee=user, status=TaskStatus.CLAIMED)]


class TaskInbox:
    """The task inbox of a user (see `task_inbox_for`), read a page at a time.

    Slicing it (`inbox[:50]`, `inbox[offset:offset + limit]` as the paginators do) runs a
    UNION ALL of one branch per post, each ordered like its partial index and, where the
    database allows ORDER BY/LIMIT in a compound query (PostgreSQL), stopped at the end of the
    slice: a page reads a few index entries per post however many tasks are open. The tasks
    of the page are then read as the rows a list shows (`rows.TaskRow`): two queries a page.
    `count()` (and `len()`) count the branches in one query, `count(cap)` up to a cap. It is
    not a QuerySet: filter with `inbox_task_of_case` or on Task directly.
    """

    def __init__(self, branches: list[Q]) -> None:
        self.branches = branches

    def _union(self, stop: int | None) -> QuerySet[Task, tuple[int, dt.date | None, dt.datetime]]:
        parts = [Task.objects.filter(b).values_list("id", "due_date", "created_at").order_by() for b in self.branches]
        if len(parts) == 1:
            return parts[0].order_by(*INBOX_ORDER)
        if stop is not None and connections[Task.objects.db].features.supports_slicing_ordering_in_compound:
            parts = [part.order_by(*INBOX_ORDER)[:stop] for part in parts]
        return parts[0].union(*parts[1:], all=True).order_by(*INBOX_ORDER)

    def __getitem__(self, index: slice) -> list[TaskRow]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("TaskInbox supports slices without a step only.")
        start, stop = index.start or 0, index.stop
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("Negative indexing is not supported.")
        if stop is not None and stop <= start:
            return []
        page = self._union(stop)[start:stop]
        return task_rows_by([row[0] for row in page])

    def __iter__(self) -> Iterator[TaskRow]:
        return iter(self[:])

    def __len__(self) -> int:
        return self.count()

    def count(self, cap: int | None = None) -> int:
        """The open tasks, or at most `cap + 1` of them (each branch stops there): a count
        that does not grow with a department's backlog beyond the cap."""
        if cap is None:
            return self._union(None).order_by().count()
        return self._union(cap + 1)[: cap + 1].count()

    def all(self) -> "TaskInbox":
        return self  # paginators (ninja's) count with `.all().count()`


def task_inbox_for(user: User) -> TaskInbox:
    """Open tasks for the user's roles in their departments, plus tasks they claimed;
    most urgent first (due date, then age). Slice it for a page (see TaskInbox)."""
    return TaskInbox(_task_inbox_branches(user))


def inbox_task_of_case(user: User, number: str) -> Task | None:
    """The most urgent task of case `number` in the user's inbox, if any."""
    scope = Q(pk__in=[])
    for branch in _task_inbox_branches(user):
        scope |= branch
    return Task.objects.filter(scope, case__number=number).order_by(*INBOX_ORDER).first()


def task_clocks_of(task_ids: Iterable[int], today: dt.date, calendar: WorkdayCalendar) -> dict[int, ClockState]:
    """The clocks of tasks `task_ids` derived from their ledgers, read in one query (for the
    few rows whose stored due date does not tell enough: a paused clock has none)."""
    entries: dict[int, list[ClockEntry]] = {pk: [] for pk in task_ids}
    if not entries:
        return {}
    for row in ClockEvent.objects.filter(task_id__in=list(entries)).order_by("id"):
        entries[row.task_id].append(clock_entry(row))  # type: ignore[index]
    share = warning_share()
    return {pk: derive(rows, calendar=calendar, today=today, warning_share=share) for pk, rows in entries.items()}


# --- how urgent a row of the inbox is ------------------------------------------------------

UrgencyState = Literal["normal", "warning", "overdue"]
_RANK: dict[str, int] = {"overdue": 0, "warning": 1, "normal": 2}


@dataclass(frozen=True)
class Urgency:
    """How pressing one row of the inbox is: its due date, the working days left, and the
    state the workbench shows (正常 / 即将到期 / 已超期)."""

    due_date: dt.date | None = None
    days_left: int | None = None
    state: UrgencyState = "normal"
    paused: bool = False

    @property
    def rank(self) -> tuple[int, dt.date]:
        """Most urgent first: overdue, then warning, then by due date."""
        return _RANK[self.state], self.due_date or dt.date.max


def _days_left(calendar: WorkdayCalendar, today: dt.date, due: dt.date | None) -> int | None:
    try:
        return calendar.working_days_between(today, due) if due is not None else None
    except YearNotConfigured:
        return None


def intake_urgency(case: CaseRow, today: dt.date, calendar: WorkdayCalendar) -> Urgency:
    """A submission waiting at the window: due on the last day of the 5-working-day
    acceptance window (after it the law accepts it); a warning in the window's last share of
    days (`CASE_WARNING_SHARE`). A case back with the applicant for 补正 has no clock."""
    if case.status != CaseStatus.SUBMITTED or case.received_on is None:
        return Urgency()
    try:
        due = deemed_acceptance_after(case.received_on, calendar)
    except YearNotConfigured:
        return Urgency()
    days_left = _days_left(calendar, today, due)
    if days_left is None:
        return Urgency(due)
    if today > due:
        return Urgency(due, days_left, "overdue")
    if days_left <= round(ACCEPTANCE_WINDOW_DAYS * (1 - warning_share())):
        return Urgency(due, days_left, "warning")
    return Urgency(due, days_left)


def task_urgencies(tasks: list[TaskRow], today: dt.date, calendar: WorkdayCalendar) -> dict[int, Urgency]:
    """The urgency of each task of an inbox page, by task id. While a task's clock runs and
    is not overdue, the due and warning dates stored on it (the services keep them in step
    with its ledger) say it all; a paused or overdue clock is derived from its ledger, read
    for those rows together: a paused one has no stored due date, and the working days past
    it do not count the paused days."""
    derived = task_clocks_of([t.pk for t in tasks if t.due_date is None or t.due_date < today], today, calendar)
    found = {}
    for task in tasks:
        clock = derived.get(task.pk)
        if clock is not None:
            state: UrgencyState = clock.level if clock.level in ("warning", "overdue") else "normal"  # type: ignore[assignment]
            days_left = clock.remaining_days if clock.due_date else None
            found[task.pk] = Urgency(clock.due_date or task.due_date, days_left, state, clock.state == "paused")
        else:
            warned = task.warning_date is not None and today >= task.warning_date
            found[task.pk] = Urgency(
                task.due_date, _days_left(calendar, today, task.due_date), "warning" if warned else "normal"
            )
    return found
