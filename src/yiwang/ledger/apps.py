from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "yiwang.ledger"
    verbose_name = "区块链账本"

    def ready(self) -> None:
        post_migrate.connect(_ensure_partitions, sender=self, dispatch_uid="ledger_partitions_ensure")


def _ensure_partitions(*, using: str = "default", **kwargs: Any) -> None:
    """Once at migrate time (PostgreSQL): the coming months' partitions exist (ADR 0034)."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS

    from yiwang.ledger.partitions import is_postgresql, partitions_ensure

    if using == DEFAULT_DB_ALIAS and is_postgresql():
        partitions_ensure(months_ahead=settings.PARTITION_MONTHS_AHEAD)
