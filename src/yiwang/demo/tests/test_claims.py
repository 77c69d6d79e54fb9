"""The demo catalog at every level: 泰安's guide lists its claims and its town's; 泰安 lags."""

import pytest

from yiwang.accounts.models import Region
from yiwang.catalog import level_selectors
from yiwang.catalog.models import CatalogEvent
from yiwang.catalog.search import GuideFilters, guide_queryset
from yiwang.demo.claims import TAIAN, load_claims
from yiwang.demo.world import load_world

pytestmark = pytest.mark.django_db


def test_the_demo_claims_load_once_and_leave_taian_behind_an_amendment() -> None:
    load_world()
    assert load_claims() == {"claims": 3, "amendments": 1}
    events = CatalogEvent.objects.count()
    assert load_claims() == {"claims": 0, "amendments": 0}
    assert CatalogEvent.objects.count() == events
    listed = {(d.name, d.region_name) for d in guide_queryset(GuideFilters(region=Region.objects.get(code=TAIAN)))}
    assert listed == {("公司设立登记", "泰安市"), ("食品经营许可", "泰安市"), ("生育登记", "满庄镇")}
    lagging = level_selectors.amendments_pending()
    assert [(r.amendment.implementation.region.name, r.days_waiting) for r in lagging] == [("泰安市", 3)]
