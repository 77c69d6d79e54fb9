"""Worker jobs of 专家云评审 (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.reviews.services import invitations_expire_due, panels_draw_waiting


@task()
def draw_waiting() -> int:
    """Draw every panel whose seeding checkpoint has been signed since the last run."""
    return panels_draw_waiting()


@task()
def daily_sweep() -> int:
    """Invitations unanswered past their day expire; the next of the ranking is invited."""
    return invitations_expire_due()
