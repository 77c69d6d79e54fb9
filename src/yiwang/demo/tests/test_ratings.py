"""The demo's 好差评: months of ratings, a bad review in each state, all through the services."""

import datetime as dt

import pytest
from django.conf import settings

from yiwang.cases.models import Case
from yiwang.core import clock
from yiwang.core.calendar import calendar_seed
from yiwang.demo.cases import KEY_PREFIX, load_cases
from yiwang.demo.ratings import load_ratings
from yiwang.demo.world import load_world
from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Entry
from yiwang.ratings import selectors, services
from yiwang.ratings.checks import rating_problems
from yiwang.ratings.improvements import before_after
from yiwang.ratings.models import Appeal, Improvement, Rating, RatingEvent
from yiwang.ratings.tests.scene import notice_token

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 3, 10, 0)  # a Thursday


def _load() -> dict[str, object]:
    with clock.frozen(TODAY):
        calendar_seed(years=settings.CALENDAR_SEED_YEARS)
        load_world()
        load_cases()
        return load_ratings()


def test_months_of_ratings_with_a_bad_review_in_each_state_and_a_second_load_adds_nothing() -> None:
    created = _load()
    assert created["cases"] == 34 and created["skipped"] == ""
    assert created["ratings"] == Rating.objects.count() >= 33
    oldest = Rating.objects.order_by("rated_at").first()
    assert oldest is not None and (TODAY.date() - oldest.rated_at.date()).days >= 80  # about three months

    handlings = set(Rating.objects.values_list("handling", flat=True))
    assert handlings == {"none", "pending", "fixed", "rectifying", "rectified", "explained"}
    today = TODAY.date()
    waiting = Rating.objects.filter(handling="pending", appeals__isnull=True)
    assert any(r.response_due >= today and not r.response_overdue_noticed for r in waiting)  # within its deadline
    assert any(r.response_due < today and r.response_overdue_noticed for r in waiting)  # overdue, warned
    assert RatingEvent.objects.filter(verb="response_overdue").count() == 1
    rectifying = Rating.objects.get(handling="rectifying")
    assert rectifying.rectification.due_on >= today and rectifying.rectification.closed_at is None
    rectified = Rating.objects.get(handling="rectified")
    assert rectified.second_grade == 4 and rectified.rectification.result and rectified.revisits.exists()
    assert Rating.objects.get(handling="fixed").revisits.exists()
    hotline = Rating.objects.get(channel="hotline")
    assert hotline.recorded_by.username == "jn_supervisor" and hotline.handling == "explained"
    assert hotline.case.idempotency_key == KEY_PREFIX + "sign-denied"

    assert sorted(Appeal.objects.values_list("status", flat=True)) == ["filed", "upheld"]
    upheld = Rating.objects.get(appeals__status="upheld")
    assert upheld.excluded and Appeal.objects.get(status="upheld").decided_by.username == "sd_supervisor"
    assert not Rating.objects.get(appeals__status="filed").excluded
    assert set(Rating.objects.values_list("channel", flat=True)) == {
        "pc",
        "mobile",
        "notice_link",
        "hall_tablet",
        "hotline",
    }

    figures = selectors.figures(selectors.Scope())
    assert figures.rated == Rating.objects.count() - 1  # the upheld appeal's rating is out
    assert 60 < figures.good_rate < 100 and 0 < figures.rectification_rate < 100  # type: ignore[operator]
    assert 0 < figures.revisit_rate < 100 and 50 < figures.active_rate < 100  # type: ignore[operator]

    # the loop back: 服务改进 answered by the amendment; the cases since are under it, rated well
    [improvement] = Improvement.objects.all()
    assert improvement.status == "answered" and improvement.ratings.filter(handling="rectified").exists()
    assert improvement.code in improvement.amendment.change_reason
    before, after = before_after(improvement)
    assert after is not None and before.ratings.rated > 0 and after.ratings.rated > 0
    assert after.ratings.good_rate > before.ratings.good_rate  # type: ignore[operator]
    assert Case.objects.get(idempotency_key=KEY_PREFIX + "rated-fresh").implementation_version == improvement.amendment

    # zhangsan's newest case waits for his rating: its notice link works
    fresh = Case.objects.get(idempotency_key=KEY_PREFIX + "rated-fresh")
    assert fresh.status == "concluded" and not fresh.ratings.exists()
    with clock.frozen(TODAY):
        assert services.case_of_link(notice_token(fresh)).case == fresh

    assert all(problems == [] for problems in rating_problems(list(Rating.objects.all())).values())
    counts = (Case.objects.count(), Rating.objects.count(), RatingEvent.objects.count(), Entry.objects.count())
    with clock.frozen(TODAY + dt.timedelta(hours=2)):
        assert load_ratings() == {"cases": 0, "ratings": 0, "skipped": ""}
    assert (Case.objects.count(), Rating.objects.count(), RatingEvent.objects.count(), Entry.objects.count()) == counts
    ledger_integrate()
    report = ledger_audit()
    assert report.clean, report.problems


def test_without_the_demo_cases_nothing_is_rated() -> None:
    with clock.frozen(TODAY):
        calendar_seed(years=settings.CALENDAR_SEED_YEARS)
        load_world()
        assert load_ratings() == {"cases": 0, "ratings": 0, "skipped": "演示办件未加载"}
    assert not Rating.objects.exists()
