"""The figures of a scope count that scope's ratings and cases only: item, version,
department, region prefix and period; a bad review revisited twice counts once; a rating
recorded by staff is not the party's own (bench/ratings_bench.py checks the same at 1M)."""

import datetime as dt

import pytest

from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core import clock
from yiwang.ratings import services
from yiwang.ratings.selectors import Scope, figures
from yiwang.ratings.tests.scene import concluded, notice_token, person

pytestmark = pytest.mark.django_db


def _counts(scope: Scope) -> tuple[int, ...]:
    f = figures(scope)
    return f.rated, f.bad, f.revisited, f.cases_with_result, f.cases_self_rated


def test_each_scope_counts_its_own_ratings_and_cases(world: None) -> None:
    first, second = ImplementationVersionFactory(instant=True), ImplementationVersionFactory(instant=True)
    department = first.implementation.department
    assert second.implementation.department == department
    today = clock.today()
    wide = [Scope(department_id=department.pk), Scope(region_prefix=department.region.code_prefix),
            Scope(since=today, until=today)]  # fmt: skip
    before = [_counts(scope) for scope in wide]  # the demo world's own cases count there too

    bad = services.rating_give_by_link(token=notice_token(concluded(version=first)), grade=1, tags=[], text="慢")
    for outcome in ("已电话联系", "再次回访"):
        services.rating_revisit(actor=person("jn_window"), rating_id=bad.pk, way="phone", outcome=outcome)
    good = concluded(version=first).number
    services.rating_give(actor=person("zhangsan"), case_number=good, grade=5, tags=[], text="")
    by_phone = concluded(version=second).number
    services.rating_record_hotline(actor=person("jn_supervisor"), case_number=by_phone, grade=3, tags=[], text="")
    concluded(version=second)  # a result nobody rated

    # (rated, bad, revisited, cases with a result, cases the party rated)
    mine = figures(Scope(version_id=first.pk))
    assert _counts(Scope(version_id=first.pk)) == (2, 1, 1, 2, 2)
    assert (mine.good_rate, mine.revisit_rate, mine.active_rate) == (50.0, 100.0, 100.0)
    assert _counts(Scope(item_code=first.implementation.item.basic_code)) == (2, 1, 1, 2, 2)
    assert _counts(Scope(version_id=second.pk)) == (1, 0, 0, 2, 0)
    assert figures(Scope(version_id=second.pk)).active_rate == 0.0
    for scope, (rated, bad_, revisited, with_result, self_rated) in zip(wide, before, strict=True):
        assert _counts(scope) == (rated + 3, bad_ + 1, revisited + 1, with_result + 4, self_rated + 2)
    assert _counts(Scope(region_prefix="3709")) == (0, 0, 0, 0, 0)
    later = today + dt.timedelta(days=40)
    assert _counts(Scope(since=later, until=later)) == (0, 0, 0, 0, 0)
