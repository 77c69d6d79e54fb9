"""Worker jobs of the ledger."""

from django_tasks import task

from yiwang.ledger.integrator import ledger_integrate


@task()
def integrate() -> int:
    """Periodic (settings.PERIODIC_TASKS): integrate every pending entry into the log."""
    return ledger_integrate()
