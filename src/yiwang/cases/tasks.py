"""Jobs of the case engine: the periodic sweeps (settings.PERIODIC_TASKS) and the
re-derivation enqueued after a calendar change (settings.CALENDAR_CHANGE_TASKS).

All are idempotent: the sweeps handle each case or task by its own service call in its own
transaction, which locks the row and checks again; the re-derivation writes only dates that
differ from what the ledger and calendar give. Overlapping runs do no harm.
"""

import datetime as dt
import logging

from django_tasks import task

from yiwang.cases.models import Case, Task
from yiwang.cases.rederive import due_dates_rederive
from yiwang.cases.services import case_deadline_check, case_deem_accept, task_deadline_check
from yiwang.cases.workflow import CaseStatus, TaskStatus
from yiwang.core import clock

logger = logging.getLogger("yiwang.cases")


@task()
def deemed_acceptance_sweep() -> int:
    """Apply 视为受理 to cases nobody handled within 5 working days of receipt."""
    # 5 working days span at least 5 calendar days: a cheap prefilter, checked exactly by the service.
    cutoff = clock.today() - dt.timedelta(days=5)
    applied = 0
    for pk in Case.objects.filter(status=CaseStatus.SUBMITTED, received_on__lt=cutoff).values_list("pk", flat=True):
        try:
            applied += case_deem_accept(case=Case(pk=pk))
        except Exception:  # one broken case must not stop the others; the error is logged
            logger.exception("deemed acceptance failed for case %s", pk)
    return applied


@task()
def deadline_sweep() -> dict[str, int]:
    """预警: notify staff once per threshold for cases and tasks past the warning share of
    their time ("warning") or past due ("overdue")."""
    today = clock.today()
    counts = {"warning": 0, "overdue": 0}
    cases = Case.objects.filter(status=CaseStatus.IN_REVIEW, warning_date__lte=today).values_list("pk", flat=True)
    for pk in cases:
        try:
            level = case_deadline_check(case=Case(pk=pk))
        except Exception:
            logger.exception("deadline check failed for case %s", pk)
            continue
        if level:
            counts[level] += 1
    tasks = Task.objects.filter(
        status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED], warning_date__lte=today
    ).select_related("case")
    for item in tasks:
        try:
            level = task_deadline_check(task=item)
        except Exception:
            logger.exception("deadline check failed for task %s", item.pk)
            continue
        if level:
            counts[level] += 1
    return counts


@task()
def calendar_rederive(was_provisional: list[int] | None = None) -> dict[str, int]:
    """After a change of the working-day calendar (enqueued on commit by the calendar services,
    settings.CALENDAR_CHANGE_TASKS): re-derive the stored due and warning dates of every running
    case and open task and tell those whose date moved (cases/rederive.py). `was_provisional`:
    the years projected before the change, so old dates in them are quoted as 暂定."""
    result = due_dates_rederive(was_provisional=frozenset(was_provisional or ()))
    logger.info("calendar re-derivation: %s", result.as_dict())
    return result.as_dict()


@task()
def assisted_expire_sweep() -> int:
    """帮办代办: assisted drafts untouched for ASSISTED_DRAFT_DAYS expire (ADR 0029)."""
    from yiwang.cases.services.assisted import assisted_expire_stale

    return assisted_expire_stale()
