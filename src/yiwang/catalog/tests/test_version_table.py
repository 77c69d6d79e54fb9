"""The version transition table, walked pair by pair through the real services."""

import itertools
from collections.abc import Callable

import pytest
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.services.versions import version_supersede
from yiwang.catalog.tests.helpers import FOOD, food_draft, food_implementation
from yiwang.catalog.workflow import VERSION_TRANSITIONS, VersionAction, version_next_status
from yiwang.core import clock
from yiwang.core.errors import Conflict

Version = ImplementationVersion


def _published(drafter: User, reviewer: User) -> Version:
    draft = food_draft(drafter, committed_limit_days=6)
    services.implementation_version_submit(actor=drafter, version=draft)
    return services.implementation_version_publish(actor=reviewer, version=draft, note="同意")


def _in_status(status: VersionStatus, drafter: User, reviewer: User) -> Version:
    """A 食品经营许可 implementation version brought to `status` by the services."""
    if status == VersionStatus.PUBLISHED:
        return _published(drafter, reviewer)
    if status == VersionStatus.SUPERSEDED:
        old = Version.objects.get(implementation=food_implementation(), status=VersionStatus.PUBLISHED)
        _published(drafter, reviewer)
        return Version.objects.get(pk=old.pk)
    draft = food_draft(drafter)
    if status == VersionStatus.WITHDRAWN:
        return services.implementation_version_withdraw(actor=drafter, version=draft)
    if status in (VersionStatus.IN_REVIEW, VersionStatus.REJECTED):
        services.implementation_version_submit(actor=drafter, version=draft)
    if status == VersionStatus.REJECTED:
        services.implementation_version_reject(actor=reviewer, version=draft, note="请补充依据")
    return Version.objects.get(pk=draft.pk)


def _supersede(version: Version) -> None:
    with transaction.atomic():
        version_supersede(version, at=clock.now())


ACTIONS: dict[VersionAction, Callable[[Version, User, User], object]] = {
    VersionAction.UPDATE: lambda v, d, r: services.implementation_version_update(
        actor=d, version=v, elements={"committed_limit_days": 7}
    ),
    VersionAction.SUBMIT: lambda v, d, r: services.implementation_version_submit(actor=d, version=v),
    VersionAction.WITHDRAW: lambda v, d, r: services.implementation_version_withdraw(actor=d, version=v),
    VersionAction.REJECT: lambda v, d, r: services.implementation_version_reject(actor=r, version=v, note="退回"),
    VersionAction.PUBLISH: lambda v, d, r: services.implementation_version_publish(actor=r, version=v),
    VersionAction.SUPERSEDE: lambda v, d, r: _supersede(v),
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(VersionStatus, ACTIONS)), ids=lambda x: str(x))
def test_every_pair_of_an_existing_version(
    status: VersionStatus, action: VersionAction, drafter: User, reviewer: User
) -> None:
    version = _in_status(status, drafter, reviewer)
    assert version.status == status
    allowed = VERSION_TRANSITIONS.get((status, action))
    if allowed is None:
        with pytest.raises(Conflict) as caught:
            ACTIONS[action](version, drafter, reviewer)
        assert caught.value.rule == "version_transition"
        assert ImplementationVersion.objects.get(pk=version.pk).status == status
    else:
        ACTIONS[action](version, drafter, reviewer)
        assert ImplementationVersion.objects.get(pk=version.pk).status == allowed


def test_creation_drafts_and_copies(drafter: User, reviewer: User) -> None:
    """A new version starts as a draft; an item suspension copies implementations as published."""
    assert food_draft(drafter).status == VersionStatus.DRAFT == VERSION_TRANSITIONS[(None, VersionAction.DRAFT)]
    before = Version.objects.get(implementation=food_implementation(), status=VersionStatus.PUBLISHED)
    services.implementation_version_withdraw(
        actor=drafter, version=Version.objects.get(implementation=food_implementation(), status="draft")
    )
    item = services.item_version_draft(actor=drafter, basic_code=FOOD, change_kind="suspend", change_reason="暂停办理")
    services.item_version_submit(actor=drafter, version=item)
    services.item_version_publish(actor=reviewer, version=item)
    copy = Version.objects.get(implementation=food_implementation(), status=VersionStatus.PUBLISHED)
    assert copy.pk != before.pk and copy.item_version_id == item.pk
    assert copy.status == VERSION_TRANSITIONS[(None, VersionAction.COPY)]
    assert Version.objects.get(pk=before.pk).status == VersionStatus.SUPERSEDED


@pytest.mark.parametrize(
    ("status", "action"), list(itertools.product([None, *VersionStatus], VersionAction)), ids=lambda x: str(x)
)
def test_the_table_refuses_what_it_does_not_list(status: VersionStatus | None, action: VersionAction) -> None:
    expected = VERSION_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(Conflict, match="不能"):
            version_next_status(status, action)
    else:
        assert version_next_status(status, action) == expected


def test_every_kind_writes_catalogued_verbs() -> None:
    from yiwang.catalog.elements import IMPLEMENTATION_VERSION, ITEM_VERSION
    from yiwang.ledger.events import CatalogVerb

    for spec in (ITEM_VERSION, IMPLEMENTATION_VERSION):
        for action in ("drafted", "updated", "submitted", "withdrawn", "rejected", "published"):
            assert CatalogVerb(f"{spec.key}_version_{action}")
