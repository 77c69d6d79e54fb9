"""动态调整: a change of an item's basic elements reaches every claim as a pending amendment."""

import datetime as dt
import itertools

import pytest

from yiwang.accounts.models import Region, StaffRole
from yiwang.catalog import level_selectors, selectors, services
from yiwang.catalog.models import (
    AmendmentStatus,
    CatalogEvent,
    Implementation,
    ItemVersion,
    PendingAmendment,
    SearchDocument,
)
from yiwang.catalog.tests.helpers import FOOD, food_draft
from yiwang.catalog.tests.test_levels import TAIAN, TOWN, claim_and_publish, department, taian_approval, user
from yiwang.catalog.workflow import AMENDMENT_TRANSITIONS, AmendmentAction, amendment_next_status
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.usefixtures("world")
JINAN = "370100000000"


def amend_food(keywords: str = "开饭店 奶茶店 咖啡馆", reason: str = "补充检索别名") -> ItemVersion:
    draft = services.item_version_draft(
        actor=user("sd_catalog"), basic_code=FOOD, change_kind="amend", change_reason=reason,
        elements={"keywords": keywords},
    )  # fmt: skip
    services.item_version_submit(actor=user("sd_catalog"), version=draft)
    return services.item_version_publish(actor=user("jn_catalog"), version=draft)


def food_in(region_code: str) -> Implementation:
    return Implementation.objects.get(item__basic_code=FOOD, region__code=region_code)


def pending_of(implementation: Implementation) -> PendingAmendment:
    return PendingAmendment.objects.get(implementation=implementation, status=AmendmentStatus.PENDING)


def test_an_amendment_reaches_every_claim_and_each_stays_in_force_until_confirmed() -> None:
    claim_and_publish(FOOD, taian_approval())
    claim_and_publish(FOOD, department(TOWN))
    before = {code: selectors.implementation_version_in_force(food_in(code)) for code in (JINAN, TAIAN, TOWN)}
    amended = amend_food()
    event = CatalogEvent.objects.filter(verb="item_version_published").first()
    assert event is not None and len(event.payload["pending"]) == 3
    for code, version in before.items():
        assert version is not None
        amendment = pending_of(food_in(code))
        assert amendment.item_version == amended and amendment.from_item_version.number == 1
        # The lagging claim's guide still shows the version in force, on the old basic elements.
        assert selectors.implementation_version_in_force(food_in(code)) == version
        document = SearchDocument.objects.get(implementation=food_in(code))
        assert document.implementation_version == version and document.implementation_version.item_version.number == 1
    changes = level_selectors.amendment_changes(pending_of(food_in(TAIAN)))
    assert [(c.element, c.new) for c in changes] == [("检索关键词", "开饭店 奶茶店 咖啡馆")]


def test_confirming_rebases_the_claim_and_the_province_sees_who_has_not() -> None:
    claim_and_publish(FOOD, taian_approval())
    start = clock.now()
    with clock.frozen(start):
        amended = amend_food()
    with clock.frozen(start + dt.timedelta(days=3)):
        copy = services.amendment_confirm(actor=user("jn_catalog"), amendment=pending_of(food_in(JINAN)))
        lagging = level_selectors.amendments_pending()
        assert selectors.implementation_version_in_force(food_in(JINAN)) == copy
    assert copy.item_version == amended
    assert copy.reviewed_by == user("jn_catalog")
    confirmed = PendingAmendment.objects.get(implementation=food_in(JINAN))
    assert confirmed.status == AmendmentStatus.CONFIRMED and confirmed.resolved_version == copy
    assert SearchDocument.objects.get(implementation=food_in(JINAN)).implementation_version == copy
    assert [(r.amendment.implementation.region.code, r.days_waiting) for r in lagging] == [(TAIAN, 3)]
    assert level_selectors.amendments_pending(Region.objects.get(code=JINAN)) == []
    assert CatalogEvent.objects.filter(verb="amendment_confirmed").count() == 1
    with pytest.raises(Conflict, match="已确认"):
        services.amendment_confirm(actor=user("jn_catalog"), amendment=confirmed)


def test_only_the_claims_level_or_above_confirms() -> None:
    claim_and_publish(FOOD, taian_approval())
    amend_food()
    with pytest.raises(PermissionDenied):
        services.amendment_confirm(actor=user("jn_catalog"), amendment=pending_of(food_in(TAIAN)))
    services.amendment_confirm(actor=user("ta_catalog"), amendment=pending_of(food_in(TAIAN)))


def test_a_newer_amendment_replaces_the_older_and_the_wait_counts_from_the_first() -> None:
    start = clock.now()
    with clock.frozen(start):
        amend_food()
    first = pending_of(food_in(JINAN))
    with clock.frozen(start + dt.timedelta(days=2)):
        second_version = amend_food("开饭店", "再次调整")
    first.refresh_from_db()
    second = pending_of(food_in(JINAN))
    assert first.status == AmendmentStatus.REPLACED and second.item_version == second_version
    assert second.waiting_since == first.waiting_since == start and second.from_item_version.number == 1


def test_publishing_a_version_of_its_own_settles_the_amendment() -> None:
    amend_food()
    draft = food_draft(user("jn_catalog"), "按新基本要素调整承诺时限", committed_limit_days=6)
    services.implementation_version_submit(actor=user("jn_catalog"), version=draft)
    published = services.implementation_version_publish(actor=user("sd_catalog"), version=draft)
    assert published.item_version.number == 2
    settled = PendingAmendment.objects.get(implementation=food_in(JINAN))
    assert settled.status == AmendmentStatus.CONFIRMED and settled.resolved_version == published


def test_a_confirmation_the_rules_refuse_leaves_the_claim_untouched() -> None:
    amend_food()
    implementation = food_in(JINAN)
    in_force = selectors.implementation_version_in_force(implementation)
    assert in_force is not None
    # The department's staff left: the copy would route tasks to roles nobody holds.
    StaffRole.objects.filter(department=implementation.department, role__in=["reviewer", "approver"]).delete()
    with pytest.raises(ValidationFailed) as refused:
        services.amendment_confirm(actor=user("jn_catalog"), amendment=pending_of(implementation))
    assert "岗位" in refused.value.errors["process"][0] and "请起草实施清单变更" in refused.value.errors["process"][-1]
    assert selectors.implementation_version_in_force(implementation) == in_force
    assert pending_of(implementation).status == AmendmentStatus.PENDING


@pytest.mark.parametrize(
    ("status", "action"), list(itertools.product([None, *AmendmentStatus], AmendmentAction)), ids=lambda x: str(x)
)
def test_the_amendment_table_refuses_what_it_does_not_list(
    status: AmendmentStatus | None, action: AmendmentAction
) -> None:
    expected = AMENDMENT_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(Conflict):
            amendment_next_status(status, action)
    else:
        assert amendment_next_status(status, action) == expected
