"""Background jobs of the outbox (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.notifications.services import messages_deliver_pending


@task()
def deliver_pending() -> int:
    """Drain the outbox: send every due pending message. Idempotent; safe to run concurrently."""
    return messages_deliver_pending()
