"""The 好差评 roll-up gives the figures ratings.selectors computes from the ratings table,
through ratings given, bad reviews fixed and an upheld appeal; a rebuild gives the same."""

import pytest

from yiwang.core import clock
from yiwang.ratings import selectors as ratings
from yiwang.ratings import services
from yiwang.ratings.tests.scene import concluded, notice_token, person
from yiwang.supervision import metrics, satisfaction
from yiwang.supervision.models import DailyRatings

pytestmark = pytest.mark.django_db


def rate(grade: int):  # type: ignore[no-untyped-def]
    return services.rating_give_by_link(token=notice_token(concluded()), grade=grade, tags=["guide"], text="评价")


def same_as_the_ratings_table() -> metrics.Satisfaction:
    today = clock.today()
    rolled = metrics.satisfaction(metrics.Scope(since=today, until=today))
    counted = ratings.figures(ratings.Scope(since=today, until=today))
    assert (rolled.rated, rolled.bad, rolled.put_right) == (counted.rated, counted.bad, counted.put_right)
    assert (rolled.good_rate, rolled.rectification_rate) == (counted.good_rate, counted.rectification_rate)
    return rolled


def test_the_roll_up_follows_ratings_fixes_and_an_upheld_appeal(world: None) -> None:
    rate(5)
    rate(3)
    fixed, appealed = rate(1), rate(2)
    assert same_as_the_ratings_table().good_rate == 50.0
    services.rating_fix(actor=person("jn_head"), rating_id=fixed.pk, how="当场补充了指南说明")
    assert same_as_the_ratings_table().rectification_rate == 50.0
    appeal = services.appeal_file(actor=person("jn_head"), rating_id=appealed.pk, reason="恶意差评")
    services.appeal_decide(actor=person("jn_supervisor"), appeal_id=appeal.pk, uphold=True, decision="属实")
    rolled = same_as_the_ratings_table()
    assert (rolled.rated, rolled.bad, rolled.put_right) == (3, 1, 1) and rolled.rectification_rate == 100.0
    kept = sorted(row for row in DailyRatings.objects.values_list("day", "rated", "bad", "put_right") if any(row[1:]))
    assert satisfaction.rebuild() == len(kept)  # a rebuild keeps no empty row
    assert sorted(DailyRatings.objects.values_list("day", "rated", "bad", "put_right")) == kept
