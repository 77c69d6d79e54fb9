"""Background jobs of 电子监察 rules, 督办 and the monthly publication of the public figures
(registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.supervision.notices import notices_escalate_overdue
from yiwang.supervision.publication import publish_closed_month
from yiwang.supervision.rule_sweep import rules_daily_sweep


@task()
def rules_sweep() -> int:
    """Periodic rules (refusal rate), suspensions still open past their announced time, and
    督办 unanswered past their deadline: each found or escalated once."""
    return rules_daily_sweep() + notices_escalate_overdue()


@task()
def publish_figures() -> int:
    """The month that ended last: its public figures into the ledger, once (ADR 0020)."""
    return publish_closed_month()
