"""Architecture rule 6 under 动态调整: cases keep the version they pinned, and a claim that has
not confirmed an amendment yet still takes applications on the version in force."""

import pytest

from yiwang.accounts.models import User
from yiwang.cases.services import case_draft_save
from yiwang.catalog import services as catalog
from yiwang.catalog.models import Implementation, ImplementationVersion, PendingAmendment
from yiwang.catalog.selectors import implementation_version_in_force

FOOD = "000136019000"
pytestmark = pytest.mark.usefixtures("world")


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _in_force(implementation: Implementation) -> ImplementationVersion:
    version = implementation_version_in_force(implementation)
    assert version is not None
    return version


def test_cases_keep_their_versions_while_a_claim_lags_and_after_it_confirms() -> None:
    implementation = Implementation.objects.get(item__basic_code=FOOD)
    before = _in_force(implementation)
    running = case_draft_save(actor=_user("zhangsan"), form_data={}, implementation_version=before)
    item = catalog.item_version_draft(
        actor=_user("sd_catalog"), basic_code=FOOD, change_kind="amend", change_reason="补充检索别名",
        elements={"keywords": "开饭店"},
    )  # fmt: skip
    catalog.item_version_submit(actor=_user("sd_catalog"), version=item)
    catalog.item_version_publish(actor=_user("jn_catalog"), version=item)
    # Not confirmed yet: a new application pins the version in force, on the old basic elements.
    lagging = case_draft_save(actor=_user("lisi"), form_data={}, implementation_version=_in_force(implementation))
    assert lagging.implementation_version == before and lagging.implementation_version.item_version.number == 1
    amendment = PendingAmendment.objects.get(implementation=implementation)
    confirmed = catalog.amendment_confirm(actor=_user("jn_catalog"), amendment=amendment)
    running.refresh_from_db()
    lagging.refresh_from_db()
    assert running.implementation_version == before == lagging.implementation_version
    later = case_draft_save(actor=_user("lisi"), form_data={}, implementation_version=_in_force(implementation))
    assert later.implementation_version == confirmed and confirmed.item_version == item
