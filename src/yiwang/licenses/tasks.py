"""Background jobs of the licenses domain (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.licenses.services import licenses_expire_due


@task()
def expire_due() -> int:
    """Licenses whose validity ended become 已过期 (batches of 500; idempotent)."""
    return licenses_expire_due()
