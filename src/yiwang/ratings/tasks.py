"""Background jobs of 好差评 (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.ratings.services import ratings_warn_overdue


@task()
def daily_sweep() -> int:
    """Bad reviews unanswered and rectifications open past their day: warned once each."""
    return ratings_warn_overdue()
