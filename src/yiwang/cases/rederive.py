"""Re-derive the stored due and warning dates after a change of the working-day calendar.

The dates on `Case` and `Task` are denormalised from the clock ledger and the calendar
(deadlines.py). The services refresh them with every clock event; when the *calendar*
changes (an official year published over its provisional projection, a day corrected) no
clock event happens, so this job walks every running case and open task and writes what the
ledger now gives:

- in batches: keyset pagination on the primary key, the batch's clock ledgers in one query,
  one UPDATE of the rows whose dates changed, one INSERT of the notices, one transaction per batch holding the
  batch's row locks (a service acting on the same case waits, then refreshes with the new
  calendar anyway);
- idempotent: a second run finds nothing to change and sends nothing;
- whoever is concerned by a date that *moved* gets a notice "old → new" in the outbox: the
  applicant for the case's due dates, the task's assignee (or, for an unclaimed task, the
  holders of its post) for a task's. A date that only loses its 暂定 mark (the official year
  gave the projected date) moves nobody.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction

from yiwang.accounts.models import User
from yiwang.cases.clock import PROVISIONAL_MARK, ClockEntry
from yiwang.cases.deadlines import case_due_refresh, clock_cache_set, clock_entry, task_due_refresh
from yiwang.cases.models import Case, ClockEvent, Task
from yiwang.cases.services._base import holders_by_post, item_name
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.core.calendar import working_calendar
from yiwang.core.workdays import WorkdayCalendar
from yiwang.notifications.services import messages_enqueue_batch

RUNNING_CASES = (CaseStatus.IN_REVIEW, CaseStatus.SUPPLEMENT_PENDING, CaseStatus.SUSPENDED)
RUNNING_TASKS = (TaskStatus.OPEN, TaskStatus.CLAIMED)
CASE_DATES = ("due_date", "committed_due_date", "warning_date")
TASK_DATES = ("due_date", "warning_date")
CASE_FIELDS = (
    "status",
    "received_on",
    "number",
    "ref",
    "applicant_id",
    "implementation_version__statutory_limit_days",
    "implementation_version__committed_limit_days",
    "implementation_version__item_version__name",
)
TASK_FIELDS = (
    "status",
    "name",
    "role",
    "department_id",
    "assignee_id",
    "case__number",
    "case__ref",
    "case__implementation_version__item_version__name",
)
BATCH_SIZE = 1000

M = TypeVar("M", Case, Task)


@dataclass
class RederiveResult:
    cases_seen: int = 0
    cases_changed: int = 0
    tasks_seen: int = 0
    tasks_changed: int = 0
    notices: int = 0
    moved: list[str] = field(default_factory=list, repr=False)  # labels of moved cases/tasks (first 100)

    def as_dict(self) -> dict[str, int]:
        return {
            "cases_seen": self.cases_seen,
            "cases_changed": self.cases_changed,
            "tasks_seen": self.tasks_seen,
            "tasks_changed": self.tasks_changed,
            "notices": self.notices,
        }


@dataclass(frozen=True)
class _Marks:
    """How to quote a date in a notice: 暂定 if its year is (was, for the old date) projected."""

    now: WorkdayCalendar
    was_provisional: frozenset[int]

    def move(self, label: str, old: dt.date | None, new: dt.date | None) -> str:
        return f"{label}由 {self._shown(old, old is not None and old.year in self.was_provisional)} 调整为 " + (
            self._shown(new, new is not None and self.now.is_provisional(new))
        )

    @staticmethod
    def _shown(day: dt.date | None, provisional: bool) -> str:
        if day is None:
            return "（待工作日历配置后确定）"
        return f"{day.isoformat()}{PROVISIONAL_MARK if provisional else ''}"


def due_dates_rederive(
    *, was_provisional: frozenset[int] = frozenset(), batch_size: int = BATCH_SIZE
) -> RederiveResult:
    """Re-derive every running case's and open task's stored dates (see the module doc).

    `was_provisional`: the years that were projected before the calendar change (old dates
    in them are quoted as 暂定 in the notices)."""
    marks = _Marks(working_calendar(fresh=True), was_provisional)
    result = RederiveResult()
    # Only what the derivation and the notices read: a full row (the version's process JSON,
    # the case's form data) would cost more than the derivation itself.
    cases = (
        Case.objects.filter(status__in=RUNNING_CASES)
        .select_related("implementation_version__item_version")
        .only(*CASE_DATES, *CASE_FIELDS)
    )
    _walk(cases, batch_size, lambda batch: _cases_batch(batch, marks, result))
    tasks = (
        Task.objects.filter(status__in=RUNNING_TASKS)
        .select_related("case__implementation_version__item_version")
        .only(*TASK_DATES, *TASK_FIELDS)
    )
    _walk(tasks, batch_size, lambda batch: _tasks_batch(batch, marks, result))
    return result


def _walk(queryset: "models.QuerySet[M]", batch_size: int, handle: Callable[[list[M]], None]) -> None:
    last = 0
    while True:
        with transaction.atomic(durable=True):
            page = queryset.filter(pk__gt=last).order_by("pk")
            if connection.features.has_select_for_update_of:
                page = page.select_for_update(of=("self",))
            batch = list(page[:batch_size])
            if not batch:
                return
            handle(batch)
        last = batch[-1].pk


def _ledgers(rows: "models.QuerySet[ClockEvent]", key: str) -> dict[int, list[ClockEntry]]:
    found: dict[int, list[ClockEntry]] = defaultdict(list)
    for row in rows.order_by(key, "id"):
        found[getattr(row, key)].append(clock_entry(row))
    return found


def _save_dates(model: type[Case] | type[Task], rows: Sequence[Case | Task], fields: Sequence[str]) -> None:
    """Write the date columns of `rows`: one UPDATE … FROM (VALUES …) on PostgreSQL (Django's
    bulk_update builds a CASE per row and field and spent 70% of the job's time doing so),
    bulk_update elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, list(fields))  # type: ignore[arg-type]
        return
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f)} = v.{quote(f)}" for f in fields)
    row = "(%s::bigint" + ", %s::date" * len(fields) + ")"
    params: list[Any] = []
    for row_obj in rows:
        params += [row_obj.pk, *(getattr(row_obj, f) for f in fields)]
    columns = ", ".join(quote(f) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names from the model
            f"FROM (VALUES {', '.join([row] * len(rows))}) AS v(id, {columns}) WHERE t.id = v.id",
            params,
        )


def _dates(obj: Case | Task, names: Sequence[str]) -> tuple[dt.date | None, ...]:
    return tuple(getattr(obj, name) for name in names)


def _cases_batch(batch: list[Case], marks: _Marks, result: RederiveResult) -> None:
    ledgers = _ledgers(ClockEvent.objects.filter(case_id__in=[c.pk for c in batch], task=None), "case_id")
    changed: list[Case] = []
    notices: list[tuple[User, str, str, str]] = []
    for case in batch:
        clock_cache_set(case, ledgers.get(case.pk, []))
        before = _dates(case, CASE_DATES)
        case_due_refresh(case)
        if _dates(case, CASE_DATES) == before:
            continue
        changed.append(case)
        moves = [
            marks.move(label, old, new)
            for label, old, new in (
                ("承诺办结期限", before[1], case.committed_due_date),
                ("法定办结期限", before[0], case.due_date),
            )
            if old != new
        ]
        if moves:  # worded as services._base.notify_applicant words it, queued in one INSERT per batch
            body = f"办件编号 {case.label}：因工作日历（法定节假日安排）调整，{'；'.join(moves)}。"
            applicant = User(pk=case.applicant_id)  # the outbox needs only the id for in-app notices
            notices.append((applicant, f"【{item_name(case)}】办结期限调整", body, case.subject))
            if len(result.moved) < 100:
                result.moved.append(case.label)
    if changed:
        _save_dates(Case, changed, CASE_DATES)
    if notices:
        messages_enqueue_batch(batch=notices)
        result.notices += len(notices)
    result.cases_seen += len(batch)
    result.cases_changed += len(changed)


def _tasks_batch(batch: list[Task], marks: _Marks, result: RederiveResult) -> None:
    ledgers = _ledgers(ClockEvent.objects.filter(task_id__in=[t.pk for t in batch]), "task_id")
    changed: list[Task] = []
    moved: list[tuple[Task, dt.date | None]] = []
    for task in batch:
        clock_cache_set(task, ledgers.get(task.pk, []))
        before = _dates(task, TASK_DATES)
        task_due_refresh(task)
        if _dates(task, TASK_DATES) == before:
            continue
        changed.append(task)
        if before[0] != task.due_date:
            moved.append((task, before[0]))
    if changed:
        _save_dates(Task, changed, TASK_DATES)
    if moved:
        unclaimed = {(t.department_id, t.role) for t, _ in moved if t.assignee_id is None}
        holders = holders_by_post(unclaimed)
        notices: list[tuple[User, str, str, str]] = []
        for task, old in moved:  # worded as services._base.notify_staff_batch words it
            post = (task.department_id, task.role)
            people = [User(pk=task.assignee_id)] if task.assignee_id is not None else holders.get(post, [])
            case = task.case
            body = (
                f"{item_name(case)}（办件编号 {case.label}）：因工作日历（法定节假日安排）调整，"
                f"任务“{task.name}”的期限{marks.move('', old, task.due_date)}。"
            )
            notices += [(person, f"【{case.label}】任务期限调整", body, case.subject) for person in people]
        if notices:
            messages_enqueue_batch(batch=notices)
            result.notices += len(notices)
    result.tasks_seen += len(batch)
    result.tasks_changed += len(changed)
