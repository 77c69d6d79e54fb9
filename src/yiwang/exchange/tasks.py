"""Background jobs of data sharing (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.exchange.delivery import webhooks_deliver_pending
from yiwang.exchange.services import demands_lapse_due, grants_expire_due


@task()
def daily_sweep() -> int:
    """Unanswered demands past their day lapse; grants past their validity expire (batches
    of 500 each; idempotent, so running it hourly is harmless)."""
    return demands_lapse_due() + grants_expire_due()


@task()
def deliver_webhooks() -> int:
    """Push due webhook deliveries (a claim of at most 20; idempotent, safe concurrently)."""
    return webhooks_deliver_pending()
