"""The loop back: an improvement opened from an implementation's bad reviews is answered by the
published amendment whose reason cites it, and the versions either side are compared."""

import pytest

from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.catalog.models import ImplementationVersion
from yiwang.core import clock
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ratings import improvements, services
from yiwang.ratings.models import Rating
from yiwang.ratings.tests.scene import concluded, person

pytestmark = pytest.mark.django_db


def _rated(version: ImplementationVersion, grade: int, tags: list[str]) -> Rating:
    case = concluded(version=version)
    return services.rating_give(actor=person("zhangsan"), case_number=case.number, grade=grade, tags=tags, text="")


def _amend(version: ImplementationVersion, reason: str) -> ImplementationVersion:
    """A later published version of the same implementation (the scene; catalog's own tests
    cover drafting and four-eyes publishing); the version it replaces is superseded."""
    ImplementationVersion.objects.filter(pk=version.pk).update(status="superseded", valid_until=clock.now())
    return ImplementationVersionFactory(
        instant=True,
        implementation=version.implementation,
        item_version=version.item_version,
        number=version.number + 1,
        change_reason=reason,
    )


def test_an_improvement_cites_bad_reviews_and_is_answered_by_the_amendment_that_cites_it(world: None) -> None:
    before = ImplementationVersionFactory(instant=True)
    bad = [_rated(before, 1, ["guide", "materials"]), _rated(before, 2, ["guide"])]
    _rated(before, 5, [])
    assert improvements.tag_counts(before.implementation) == {"guide": 2, "materials": 1}
    with pytest.raises(PermissionDenied):
        improvements.improvement_open(
            actor=person("jn_window"),
            implementation_id=before.implementation_id,
            title="x",
            finding="y",
            rating_ids=[bad[0].pk],
        )
    good = Rating.objects.get(grade=5)
    with pytest.raises(ValidationFailed, match="只能引用"):
        improvements.improvement_open(
            actor=person("jn_catalog"),
            implementation_id=before.implementation_id,
            title="指南",
            finding="y",
            rating_ids=[good.pk],
        )
    improvement = improvements.improvement_open(
        actor=person("jn_catalog"),
        implementation_id=before.implementation_id,
        title="申请材料说明不清",
        finding="2 条差评反映指南的材料清单不清楚",
        rating_ids=[r.pk for r in bad],
    )
    assert improvement.baseline == before and improvement.status == "open"
    silent = _amend(before, "调整材料说明")
    with pytest.raises(ValidationFailed, match=improvement.code):
        improvements.improvement_answer(actor=person("jn_catalog"), improvement_id=improvement.pk, version_id=silent.pk)
    after = _amend(silent, f"答复服务改进 {improvement.code}：逐项说明申请材料")
    answered = improvements.improvement_answer(
        actor=person("jn_catalog"), improvement_id=improvement.pk, version_id=after.pk
    )
    assert answered.status == "answered" and answered.amendment == after
    with pytest.raises(Conflict):
        improvements.improvement_drop(actor=person("jn_catalog"), improvement_id=improvement.pk, note="不改")
    _rated(after, 5, [])
    was, now = improvements.before_after(answered)
    assert (was.ratings.rated, was.ratings.bad, was.ratings.good_rate) == (3, 2, 33.3)
    assert now is not None and (now.ratings.rated, now.ratings.good_rate) == (1, 100.0)
    assert was.submitted == 3 and was.supplement_rate == 0.0 and now.submitted == 1


def test_a_code_inside_a_longer_number_is_no_citation(world: None) -> None:
    version = ImplementationVersionFactory(instant=True)
    improvement = improvements.improvement_open(
        actor=person("jn_catalog"),
        implementation_id=version.implementation_id,
        title="t",
        finding="f",
        rating_ids=[_rated(version, 1, []).pk],
    )
    assert improvements.cites(f"见 {improvement.code}", improvement)
    assert not improvements.cites(f"见 {improvement.code}0", improvement)
