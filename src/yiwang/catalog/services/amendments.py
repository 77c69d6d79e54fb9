"""动态调整: a published change of an item's basic elements reaches every implementation of it.

Called inside an item publication (items.py) and an implementation publication
(implementations.py), under their locks: no transaction of its own. The confirming service
is catalog.services.levels.amendment_confirm.
"""

import datetime as dt

from yiwang.accounts.models import User
from yiwang.catalog.models import AmendmentStatus, Implementation, ImplementationVersion, ItemVersion, PendingAmendment
from yiwang.catalog.workflow import AmendmentAction, amendment_next_status


def amendment_arrive(
    implementation: Implementation, current: ImplementationVersion, target: ItemVersion, *, at: dt.datetime
) -> PendingAmendment:
    """The implementation must move from its version's basic elements to `target`.

    An unconfirmed older amendment is replaced; the implementation has been waiting since it came.
    """
    older = PendingAmendment.objects.select_for_update().filter(
        implementation=implementation, status=AmendmentStatus.PENDING
    )
    waiting_since = at
    for amendment in older:
        waiting_since = min(waiting_since, amendment.waiting_since)
        amendment.status = amendment_next_status(amendment.status, AmendmentAction.REPLACE)
        amendment.resolved_at = at
        amendment.save(update_fields=["status", "resolved_at"])
    return PendingAmendment.objects.create(
        implementation=implementation,
        from_item_version=current.item_version,
        item_version=target,
        status=amendment_next_status(None, AmendmentAction.ARRIVE),
        arrived_at=at,
        waiting_since=waiting_since,
    )


def amendments_settle(version: ImplementationVersion, *, actor: User, at: dt.datetime) -> list[int]:
    """A published implementation version on the basic elements it names settles the amendments
    it satisfies (their target is no newer than those elements); the numbers of their targets."""
    settled = []
    pending = PendingAmendment.objects.select_for_update().filter(
        implementation_id=version.implementation_id,
        status=AmendmentStatus.PENDING,
        item_version__number__lte=version.item_version.number,
    )
    for amendment in pending.select_related("item_version"):
        amendment.status = amendment_next_status(amendment.status, AmendmentAction.CONFIRM)
        amendment.resolved_at, amendment.resolved_by, amendment.resolved_version = at, actor, version
        amendment.save(update_fields=["status", "resolved_at", "resolved_by", "resolved_version"])
        settled.append(amendment.item_version.number)
    return settled
