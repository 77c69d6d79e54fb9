"""The clock of a case or task read from its ClockEvent ledger (database side of clock.py).

`case_clock_state` / `task_clock_state` derive the state as of today; `case_due_refresh` /
`task_due_refresh` write the denormalised due and warning dates — services call them in the
same transaction as every clock event, so the columns never drift from the ledger.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from yiwang.cases.clock import PROVISIONAL_MARK, ClockEntry, ClockState, derive, explain, with_deemed_acceptance
from yiwang.cases.models import Case, ClockEvent, Task
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.core.calendar import working_calendar

DEFAULT_WARNING_SHARE = 0.8
_CLOCK_CACHE = "_clock_entries"  # private: other modules go through clock_cache_set / clock_cache_clear


def warning_share() -> float:
    return float(getattr(settings, "CASE_WARNING_SHARE", DEFAULT_WARNING_SHARE))


def _entries(owner: Case | Task) -> list[ClockEntry]:
    """The clock ledger of a case (its own clock) or of a task, oldest first.

    Read once per object and kept on it: `services._base.clock_event` appends what it writes
    to a loaded ledger, so the services' many due-date refreshes in one transaction (under
    the case's row lock) cost one query per clock, not one per refresh.
    """
    cached: list[ClockEntry] | None = owner.__dict__.get(_CLOCK_CACHE)
    if cached is not None:
        return cached
    if isinstance(owner, Task):
        rows = ClockEvent.objects.filter(case_id=owner.case_id, task=owner)
    else:
        rows = ClockEvent.objects.filter(case_id=owner.pk, task=None)
    rows = rows.order_by("id")
    entries = [clock_entry(row) for row in rows]
    clock_cache_set(owner, entries)
    return entries


def clock_cache_set(owner: Case | Task, entries: list[ClockEntry]) -> None:
    """Give `owner` its clock ledger, read elsewhere in bulk (or known empty: a draft has no
    clock), so `_entries` does not read it again. The one writer of the per-object cache."""
    owner.__dict__[_CLOCK_CACHE] = entries


def clock_cache_clear(owner: Case | Task) -> None:
    """Forget a loaded ledger (a service is about to change it through a locked copy)."""
    owner.__dict__.pop(_CLOCK_CACHE, None)


def clock_entry(row: ClockEvent) -> ClockEntry:
    return ClockEntry(
        kind=row.kind,  # type: ignore[arg-type]
        on=row.on,
        days=row.days,
        cause=row.cause,
        note=row.note,
        expected_days=row.expected_days,
    )


def clock_written(case: Case, row: ClockEvent) -> None:
    """Keep a loaded ledger in step with a row just written (see `_entries`)."""
    owner: Case | Task = row.task if row.task is not None else case
    cached: list[ClockEntry] | None = owner.__dict__.get(_CLOCK_CACHE)
    if cached is not None:
        cached.append(clock_entry(row))


def clock_started(task: Task, row: ClockEvent) -> None:
    """A new task's ledger is exactly its start row: no need to read it back."""
    clock_cache_set(task, [clock_entry(row)])


def case_clock_state(case: Case, *, committed: bool = False, today: dt.date | None = None) -> ClockState:
    """The case's legal clock (statutory limit; the committed limit when `committed`)."""
    today = today or clock.today()
    calendar = working_calendar()
    version = case.implementation_version
    entries = with_deemed_acceptance(
        _entries(case),
        received_on=case.received_on,
        awaiting_acceptance=case.status == CaseStatus.SUBMITTED,
        limit_days=version.statutory_limit_days,
        calendar=calendar,
        today=today,
    )
    return derive(
        entries,
        calendar=calendar,
        today=today,
        limit_days=version.committed_limit_days if committed else None,
        warning_share=warning_share(),
    )


def task_clock_state(task: Task, *, today: dt.date | None = None) -> ClockState:
    return derive(
        _entries(task),
        calendar=working_calendar(),
        today=today or clock.today(),
        warning_share=warning_share(),
    )


def due_text(day: dt.date | None) -> str:
    """A due date as a notice quotes it: "2027-01-22（暂定）" when computed from a projected year."""
    if day is None:
        return "（待工作日历配置后确定）"
    return f"{day.isoformat()}{PROVISIONAL_MARK if working_calendar().is_provisional(day) else ''}"


def case_due_refresh(case: Case) -> None:
    """Recompute the denormalised due/warning dates of `case` from its ledger (no save)."""
    today = clock.today()
    statutory = case_clock_state(case, today=today)
    committed = case_clock_state(case, committed=True, today=today)
    case.due_date = statutory.due_date if statutory.state in ("running", "stopped") else None
    case.committed_due_date = committed.due_date if committed.state in ("running", "stopped") else None
    case.warning_date = committed.warning_date if committed.state == "running" else None


def task_due_refresh(task: Task) -> None:
    state = task_clock_state(task)
    task.due_date = state.due_date if state.state in ("running", "stopped") else None
    task.warning_date = state.warning_date if state.state == "running" else None


@dataclass(frozen=True)
class ClockView:
    """What a page shows about a clock: both limits, the sentence, the warning level."""

    statutory: ClockState
    committed: ClockState
    explanation: str
    committed_explanation: str

    @property
    def due_date(self) -> dt.date | None:
        return self.statutory.due_date

    @property
    def committed_due_date(self) -> dt.date | None:
        return self.committed.due_date

    @property
    def level(self) -> str:
        """not_started / normal / warning / overdue / paused / stopped (against the committed limit)."""
        return self.committed.level


def case_clock_view(case: Case, *, today: dt.date | None = None) -> ClockView:
    calendar = working_calendar()
    today = today or clock.today()
    statutory = case_clock_state(case, today=today)
    committed = case_clock_state(case, committed=True, today=today)
    return ClockView(
        statutory=statutory,
        committed=committed,
        explanation=explain(statutory, calendar=calendar, limit_label="法定"),
        committed_explanation=explain(committed, calendar=calendar, limit_label="承诺"),
    )


def task_clock_explanation(task: Task, *, today: dt.date | None = None) -> str:
    return explain(
        task_clock_state(task, today=today),
        calendar=working_calendar(),
        limit_label="任务时限",
        start_word="开始办理",
        end_word="完成",
    )
