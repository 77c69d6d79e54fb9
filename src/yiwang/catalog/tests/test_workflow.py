"""The change workflow: four eyes, immutability, validity windows, rebasing, events."""

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import Region, User
from yiwang.catalog import selectors, services
from yiwang.catalog.models import (
    CatalogEvent,
    ImplementationVersion,
    ItemVersion,
    SearchDocument,
    VersionStatus,
)
from yiwang.catalog.tests.helpers import FOOD, food_draft, food_implementation
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.ledger.models import Entry

_START = timezone.now() + dt.timedelta(days=1)


def _at(day: int, hour: int = 10) -> dt.datetime:
    """10:00 on day `day` after the demo catalog was published (real time)."""
    return (_START + dt.timedelta(days=day)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_the_drafter_cannot_publish_their_own_version(drafter: User) -> None:
    draft = food_draft(drafter, committed_limit_days=6)
    services.implementation_version_submit(actor=drafter, version=draft)
    with pytest.raises(PermissionDenied) as caught:
        services.implementation_version_publish(actor=drafter, version=draft)
    assert "起草人以外" in caught.value.message
    with pytest.raises(PermissionDenied):
        services.implementation_version_reject(actor=drafter, version=draft, note="自己退回自己")
    assert ImplementationVersion.objects.get(pk=draft.pk).status == VersionStatus.IN_REVIEW


def test_only_catalog_administrators_draft(world: None) -> None:
    clerk = User.objects.get(username="jn_window")
    with pytest.raises(PermissionDenied):
        services.item_version_draft(actor=clerk, basic_code=FOOD, change_kind="amend", change_reason="想改")
    implementation = food_implementation()
    with pytest.raises(PermissionDenied):
        services.implementation_version_draft(
            actor=clerk,
            basic_code=FOOD,
            region=implementation.region,
            department=implementation.department,
            change_kind="amend",
            change_reason="想改",
        )
    assert not ItemVersion.objects.filter(status=VersionStatus.DRAFT).exists()


def test_a_city_administrator_cannot_touch_another_citys_implementations(reviewer: User) -> None:
    taian = Region.objects.get(code="370900000000")
    with pytest.raises(PermissionDenied) as caught:
        services.implementation_version_draft(
            actor=reviewer,
            basic_code=FOOD,
            region=taian,
            department=taian.departments.get(name="泰安市市场监督管理局"),
            change_kind="add",
            change_reason="泰安实施",
        )
    assert "泰安市" in caught.value.message


def test_published_versions_are_never_edited(drafter: User) -> None:
    published = selectors.implementation_version_in_force(food_implementation())
    assert published is not None
    with pytest.raises(Conflict):
        services.implementation_version_update(actor=drafter, version=published, elements={"committed_limit_days": 1})
    item_version = ItemVersion.objects.get(item__basic_code=FOOD, status=VersionStatus.PUBLISHED)
    with pytest.raises(Conflict):
        services.item_version_update(actor=drafter, version=item_version, elements={"name": "改名"})
    assert ImplementationVersion.objects.get(pk=published.pk).committed_limit_days == 5
    assert ItemVersion.objects.get(pk=item_version.pk).name == "食品经营许可"


def test_one_open_draft_at_a_time(drafter: User) -> None:
    food_draft(drafter)
    with pytest.raises(Conflict) as caught:
        food_draft(drafter)
    assert "已有未发布的草稿" in caught.value.message


def _publish_food(drafter: User, reviewer: User, at: dt.datetime, days: int) -> ImplementationVersion:
    with clock.frozen(at):
        draft = food_draft(drafter, reason=f"承诺 {days} 天", committed_limit_days=days)
        services.implementation_version_submit(actor=drafter, version=draft)
        return services.implementation_version_publish(actor=reviewer, version=draft, note="同意")


def test_validity_windows_never_overlap(drafter: User, reviewer: User) -> None:
    _publish_food(drafter, reviewer, _at(1), 6)
    _publish_food(drafter, reviewer, _at(3), 7)
    _publish_food(drafter, reviewer, _at(7), 8)
    versions = list(ImplementationVersion.objects.filter(implementation=food_implementation()).order_by("valid_from"))
    assert [v.status for v in versions][-1] == VersionStatus.PUBLISHED
    assert all(v.status == VersionStatus.SUPERSEDED for v in versions[:-1])
    for earlier, later in itertools.pairwise(versions):
        assert earlier.valid_until == later.valid_from  # contiguous, no overlap, no gap
    # At any instant exactly one version is in force, and the selector agrees with the windows.
    implementation = food_implementation()
    limits = {
        moment: selectors.implementation_version_in_force(implementation, moment).committed_limit_days  # type: ignore[union-attr]
        for moment in (_at(2), _at(3, 9), _at(3, 10), _at(5), _at(8))
    }
    assert list(limits.values()) == [6, 6, 7, 7, 8]  # the 3rd at 10:00 is the new version's first instant


def test_the_database_refuses_two_published_versions(drafter: User) -> None:
    draft = food_draft(drafter)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImplementationVersion.objects.filter(pk=draft.pk).update(
            status=VersionStatus.PUBLISHED, valid_from=timezone.now()
        )


def test_publishing_records_the_diff_and_the_reason(drafter: User, reviewer: User) -> None:
    entries_before = Entry.objects.count()
    _publish_food(drafter, reviewer, _at(1), 7)
    event = CatalogEvent.objects.filter(verb="implementation_version_published").first()
    assert event is not None and event.actor == reviewer
    assert event.payload["reason"] == "承诺 7 天"
    assert {"element": "承诺办结时限（工作日）", "kind": "changed", "old": "5", "new": "7"} in event.payload["diff"]
    assert Entry.objects.count() == entries_before + 3  # drafted, submitted, published


def test_a_suspension_rebases_implementations_at_once_without_touching_published_ones(
    drafter: User, reviewer: User
) -> None:
    implementation = food_implementation()
    pinned = selectors.implementation_version_in_force(implementation)
    assert pinned is not None
    draft = services.item_version_draft(
        actor=drafter, basic_code=FOOD, change_kind="suspend", change_reason="暂停受理（测试）"
    )
    services.item_version_submit(actor=drafter, version=draft)
    services.item_version_publish(actor=reviewer, version=draft)
    current = selectors.implementation_version_in_force(implementation)
    assert current is not None and current.pk != pinned.pk
    assert current.item_version == draft and current.committed_limit_days == pinned.committed_limit_days
    assert [m.name for m in current.materials.all()] == [m.name for m in pinned.materials.all()]
    pinned.refresh_from_db()
    assert pinned.status == VersionStatus.SUPERSEDED and pinned.item_version.number == 1
    document = SearchDocument.objects.get(implementation=implementation)
    assert document.implementation_version == current and document.suspended


def test_rejection_sends_the_version_back_with_the_note(drafter: User, reviewer: User) -> None:
    draft = food_draft(drafter, committed_limit_days=6)
    services.implementation_version_submit(actor=drafter, version=draft)
    services.implementation_version_reject(actor=reviewer, version=draft, note="理由写得不清楚")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.REJECTED and draft.review_note == "理由写得不清楚"
    services.implementation_version_update(
        actor=drafter, version=draft, elements={}, change_reason="按窗口实际调整为 6 天"
    )
    services.implementation_version_submit(actor=drafter, version=draft)
    services.implementation_version_publish(actor=reviewer, version=draft)
    assert selectors.implementation_version_in_force(food_implementation()) == draft


def test_cancelling_an_item_takes_it_out_of_the_guide(drafter: User, reviewer: User) -> None:
    draft = services.item_version_draft(
        actor=drafter, basic_code=FOOD, change_kind="cancel", change_reason="国务院决定取消（测试）"
    )
    services.item_version_submit(actor=drafter, version=draft)
    services.item_version_publish(actor=reviewer, version=draft)
    assert selectors.implementation_version_in_force(food_implementation()) is None
    assert not SearchDocument.objects.filter(basic_code=FOOD).exists()


def test_the_back_office_cannot_edit_a_published_version(login_as: Callable[[str], Client]) -> None:
    published = selectors.implementation_version_in_force(food_implementation())
    assert published is not None
    admin = login_as("admin")
    url = f"/admin/catalog/implementationversion/{published.pk}/change/"
    assert admin.get(url).status_code == 200  # it can be read
    assert admin.post(url, {"committed_limit_days": 1}).status_code == 403
    assert ImplementationVersion.objects.get(pk=published.pk).committed_limit_days == 5


def test_a_new_implementation_after_a_withdrawn_first_draft(drafter: User, reviewer: User) -> None:
    taian = Region.objects.get(code="370900000000")
    department = taian.departments.get(name="泰安市行政审批服务局")
    first = services.implementation_version_draft(
        actor=drafter, basic_code=FOOD, region=taian, department=department, change_kind="add", change_reason="泰安实施"
    )
    assert first.implementation.code == f"{department.credit_code}1{FOOD}"
    services.implementation_version_withdraw(actor=drafter, version=first)
    again = services.implementation_version_draft(
        actor=drafter,
        basic_code=FOOD,
        region=taian,
        department=department,
        change_kind="amend",
        change_reason="重新编制",
    )
    assert again.number == 2 and again.statutory_limit_days == first.statutory_limit_days
