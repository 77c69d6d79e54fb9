"""Catalog writes. Every function is one durable transaction with its permission check, row
locks, a CatalogEvent and a ledger entry; pages, API, admin, commands and the demo call these."""

from yiwang.catalog.services.implementations import (
    implementation_version_draft,
    implementation_version_publish,
    implementation_version_reject,
    implementation_version_submit,
    implementation_version_update,
    implementation_version_withdraw,
)
from yiwang.catalog.services.items import (
    item_version_draft,
    item_version_publish,
    item_version_reject,
    item_version_submit,
    item_version_update,
    item_version_withdraw,
)

__all__ = [
    "implementation_version_draft",
    "implementation_version_publish",
    "implementation_version_reject",
    "implementation_version_submit",
    "implementation_version_update",
    "implementation_version_withdraw",
    "item_version_draft",
    "item_version_publish",
    "item_version_reject",
    "item_version_submit",
    "item_version_update",
    "item_version_withdraw",
]
