"""Background jobs of the licenses domain (registered in settings.PERIODIC_TASKS)."""

from django_tasks import task

from yiwang.licenses.services import licenses_expire_due
from yiwang.licenses.sharing import authorisations_expire_due


@task()
def expire_due() -> int:
    """Licenses whose validity ended become 已过期, and 用证授权 whose window ended too (batches of
    500 each; idempotent). A use checks the window itself, so this only keeps lists current."""
    return licenses_expire_due() + authorisations_expire_due()
