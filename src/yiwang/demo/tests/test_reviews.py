"""The demo's 专家云评审: the pool, one concluded review whose draw reproduces, and a planning
case in review on which a 城乡规划 panel of one can only be expert_shen's."""

import datetime as dt

import pytest
from django.conf import settings

from yiwang.cases.models import Case
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock
from yiwang.core.calendar import calendar_seed
from yiwang.demo.cases import KEY_PREFIX, load_cases
from yiwang.demo.reviews import load_reviews
from yiwang.demo.world import load_world
from yiwang.ledger import draw
from yiwang.reviews import selectors
from yiwang.reviews.models import Expert, Panel, ReviewEvent
from yiwang.reviews.pool import candidates
from yiwang.reviews.workflow import PanelStatus

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 3, 10, 0)


def test_the_pool_and_a_concluded_reproducible_review_load_once() -> None:
    with clock.frozen(TODAY):
        calendar_seed(years=settings.CALENDAR_SEED_YEARS)
        load_world()
        load_cases()
        assert load_reviews() == {"experts": 12, "panels": 1}
    assert Expert.objects.count() == 12 and Expert.objects.filter(user__isnull=False).count() == 4
    panel = Panel.objects.get()
    assert panel.status == PanelStatus.CONCLUDED and panel.approve is True
    assert "同意 2 票，不同意 1 票" in panel.conclusion
    assert panel.case.status == CaseStatus.IN_REVIEW  # resumed
    record = selectors.draw_record(panel)
    checked = draw.check_record(record, tree_size=panel.seed_tree_size or 0, root_hash=bytes.fromhex(panel.seed_root))
    assert len(checked.members) == 3 and checked.opinions == 3
    events = ReviewEvent.objects.count()
    with clock.frozen(TODAY + dt.timedelta(hours=1)):
        assert load_reviews() == {"experts": 0, "panels": 0}
    assert ReviewEvent.objects.count() == events
    # On the planning case in review, only expert_shen is a 城乡规划 expert free to review.
    case = Case.objects.get(idempotency_key=KEY_PREFIX + "planning-parallel")
    found = {c.expert.code: c.reason for c in candidates(case, case.department_id, ["城乡规划"])}
    assert found == {
        "ZJ-0001": "",
        "ZJ-0002": "recent",
        "ZJ-0005": "employer",
        "ZJ-0006": "declared",
        "ZJ-0007": "unavailable",
    }
