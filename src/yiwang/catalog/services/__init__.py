"""Catalog writes. Every function is one durable transaction with its permission check, row
locks, a CatalogEvent and a ledger entry; pages, API, admin, commands and the demo call these.

Drafting and editing differ by kind (items.py, implementations.py, bundles.py); submission, withdrawal,
review and publication are the shared workflow (versions.py) bound to each kind."""

from functools import partial

from yiwang.catalog.services.bundles import BUNDLES, bundle_version_draft, bundle_version_update
from yiwang.catalog.services.common import require_admin
from yiwang.catalog.services.implementations import (
    IMPLEMENTATIONS,
    implementation_version_draft,
    implementation_version_update,
)
from yiwang.catalog.services.items import ITEMS, item_version_draft, item_version_update
from yiwang.catalog.services.levels import amendment_confirm, implementation_claim
from yiwang.catalog.services.versions import version_publish, version_reject, version_submit, version_withdraw

item_version_submit = partial(version_submit, ITEMS)
implementation_version_submit = partial(version_submit, IMPLEMENTATIONS)
item_version_withdraw = partial(version_withdraw, ITEMS)
implementation_version_withdraw = partial(version_withdraw, IMPLEMENTATIONS)
item_version_reject = partial(version_reject, ITEMS)
implementation_version_reject = partial(version_reject, IMPLEMENTATIONS)
item_version_publish = partial(version_publish, ITEMS)
implementation_version_publish = partial(version_publish, IMPLEMENTATIONS)
bundle_version_submit = partial(version_submit, BUNDLES)
bundle_version_withdraw = partial(version_withdraw, BUNDLES)
bundle_version_reject = partial(version_reject, BUNDLES)
bundle_version_publish = partial(version_publish, BUNDLES)

__all__ = [
    "amendment_confirm",
    "bundle_version_draft",
    "bundle_version_publish",
    "bundle_version_reject",
    "bundle_version_submit",
    "bundle_version_update",
    "bundle_version_withdraw",
    "implementation_claim",
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
    "require_admin",
]
