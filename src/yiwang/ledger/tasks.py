"""Worker jobs of the ledger."""

from django.conf import settings
from django_tasks import task

from yiwang.ledger import partitions
from yiwang.ledger.integrator import ledger_integrate


@task()
def integrate() -> int:
    """Periodic (settings.PERIODIC_TASKS): integrate every pending entry into the log."""
    return ledger_integrate()


@task()
def partitions_ensure() -> int:
    """Periodic (hourly): the coming months' partitions exist and DEFAULT is emptied into its
    months (PostgreSQL; nothing on SQLite). Returns how many partitions it created."""
    return len(partitions.partitions_ensure(months_ahead=settings.PARTITION_MONTHS_AHEAD).created)
