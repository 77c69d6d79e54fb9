"""Background jobs of the outbox (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.notifications.services import messages_deliver_pending, messages_redact_expired


@task()
def deliver_pending() -> int:
    """Drain the outbox: send every due pending message. Idempotent; safe to run concurrently."""
    return messages_deliver_pending()


@task()
def deliver_now(ids: list[int]) -> int:
    """Send these messages now, ahead of the outbox's backlog: what a person is waiting for at
    this moment (a one-time code, `message_enqueue(asked_for=True)`). Idempotent like the drain."""
    return messages_deliver_pending(ids=ids)


@task()
def redact_expired() -> int:
    """Blank the one-time secrets (codes) kept in stored messages past their time."""
    return messages_redact_expired()
