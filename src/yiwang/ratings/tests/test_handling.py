"""A bad review reaches the department with a working-day deadline; it is fixed, rectified or
explained; overdue ones warn once; revisits, second ratings, additions and appeals; the
transition tables walked pair by pair."""

import datetime as dt
import itertools

import pytest
from django.test import override_settings

from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.notifications.models import Message
from yiwang.ratings import services
from yiwang.ratings.models import Rating, RatingEvent
from yiwang.ratings.selectors import Scope, figures
from yiwang.ratings.tests.scene import concluded, notice_token, person
from yiwang.ratings.workflow import (
    APPEAL_TRANSITIONS,
    HANDLING_TRANSITIONS,
    AppealAction,
    AppealStatus,
    Handling,
    HandlingAction,
    appeal_next_status,
    handling_next_status,
)

pytestmark = pytest.mark.django_db
HEAD, WINDOW, REVIEWER, SUPERVISOR = "jn_head", "jn_window", "jn_reviewer", "jn_supervisor"


def _bad(grade: int = 1) -> Rating:
    case = concluded()
    return services.rating_give_by_link(token=notice_token(case), grade=grade, tags=["guide"], text="指南不清楚")


def test_a_bad_review_is_due_in_working_days_and_reaches_the_department(world: None) -> None:
    rating = _bad()
    assert rating.handling == Handling.PENDING
    assert rating.response_due == working_calendar().add_working_days(clock.today(), 3)
    notified = Message.objects.filter(subject__contains="【差评】", body__contains="前核实处理")
    assert {m.recipient.username for m in notified} >= {HEAD, WINDOW}
    assert REVIEWER not in {m.recipient.username for m in notified}


def test_a_rectification_is_opened_with_its_deadline_closed_and_rated_again(world: None) -> None:
    rating = _bad()
    with pytest.raises(ValidationFailed, match="5、7 或 15"):
        services.rating_rectify(actor=person(HEAD), rating_id=rating.pk, plan="改指南", days=10)
    with pytest.raises(PermissionDenied):
        services.rating_rectify(actor=person(REVIEWER), rating_id=rating.pk, plan="改指南", days=5)
    rectification = services.rating_rectify(actor=person(HEAD), rating_id=rating.pk, plan="修订材料清单说明", days=15)
    assert rectification.due_on == working_calendar().add_working_days(clock.today(), 15)
    with pytest.raises(Conflict, match="整改完成"):
        services.rectification_rate(actor=rating.rater, rating_id=rating.pk, grade=5, text="")
    services.rectification_close(actor=person(WINDOW), rating_id=rating.pk, result="材料清单已改为逐项说明")
    rated = services.rectification_rate(actor=rating.rater, rating_id=rating.pk, grade=4, text="改好了")
    assert rated.second_grade == 4 and rated.handling == Handling.RECTIFIED
    with pytest.raises(Conflict, match="已经评价过"):
        services.rectification_rate(actor=rating.rater, rating_id=rating.pk, grade=5, text="")
    verbs = list(RatingEvent.objects.filter(rating=rating).order_by("at", "pk").values_list("verb", flat=True))
    assert verbs == ["rated", "rectification_opened", "rectified", "rectification_rated"]
    assert figures(Scope()).rectification_rate == 100.0


def test_fixed_at_once_or_explained_each_closes_the_deadline_once(world: None) -> None:
    fixed, explained = _bad(), _bad(grade=2)
    services.rating_fix(actor=person(HEAD), rating_id=fixed.pk, how="当场补发了回执")
    services.rating_explain(actor=person(HEAD), rating_id=explained.pk, explanation="该要求无法律依据：……")
    with pytest.raises(Conflict, match="已立行立改"):
        services.rating_explain(actor=person(HEAD), rating_id=fixed.pk, explanation="再解释")
    shown = figures(Scope())
    assert (shown.bad, shown.put_right, shown.rectification_rate) == (2, 1, 50.0)
    assert Message.objects.filter(recipient=fixed.rater, subject__contains="立行立改").exists()


def test_overdue_answers_and_rectifications_warn_once(world: None) -> None:
    _bad()  # left unanswered
    rectifying = _bad()
    services.rating_rectify(actor=person(HEAD), rating_id=rectifying.pk, plan="整改", days=5)
    later = working_calendar().add_working_days(clock.today(), 6)
    assert services.ratings_warn_overdue(today=later) == 2
    assert services.ratings_warn_overdue(today=later) == 0  # once
    verbs = set(RatingEvent.objects.values_list("verb", flat=True))
    assert {"response_overdue", "rectification_overdue"} <= verbs
    assert Message.objects.filter(subject__contains="【差评超期】").exists()
    assert Message.objects.filter(subject__contains="【整改超期】").exists()
    assert services.ratings_warn_overdue(today=clock.today()) == 0


def test_a_revisit_is_for_bad_reviews_and_counts(world: None) -> None:
    rating = _bad()
    services.rating_revisit(actor=person(WINDOW), rating_id=rating.pk, way="phone", outcome="已电话联系，申请人认可")
    good = services.rating_give(actor=person("zhangsan"), case_number=concluded().number, grade=5, tags=[], text="")
    with pytest.raises(Conflict, match="只对差评"):
        services.rating_revisit(actor=person(WINDOW), rating_id=good.pk, way="phone", outcome="x")
    with pytest.raises(ValidationFailed):
        services.rating_revisit(actor=person(WINDOW), rating_id=rating.pk, way="pigeon", outcome="x")
    assert figures(Scope()).revisit_rate == 100.0


def test_an_addition_within_the_period_only_and_by_the_rater_only(world: None) -> None:
    rating = _bad()
    services.rating_add(actor=rating.rater, rating_id=rating.pk, text="补充：窗口电话也打不通")
    with pytest.raises(PermissionDenied):
        services.rating_add(actor=person("lisi"), rating_id=rating.pk, text="x")
    later = clock.frozen(clock.today() + dt.timedelta(days=16))
    with override_settings(RATINGS_ADDITION_DAYS=15), later, pytest.raises(Conflict, match="15 天内"):
        services.rating_add(actor=rating.rater, rating_id=rating.pk, text="再补充")
    assert rating.additions.count() == 1 and Rating.objects.get(pk=rating.pk).text == "指南不清楚"


def test_an_upheld_appeal_excludes_the_rating_from_the_figures_but_keeps_it(world: None) -> None:
    rating = _bad()
    with pytest.raises(PermissionDenied, match="机关负责人"):
        services.appeal_file(actor=person(WINDOW), rating_id=rating.pk, reason="恶意差评")
    appeal = services.appeal_file(
        actor=person(HEAD), rating_id=rating.pk, reason="申请人与窗口发生私人纠纷，属恶意差评"
    )
    with pytest.raises(Conflict, match="待复核"):
        services.appeal_file(actor=person(HEAD), rating_id=rating.pk, reason="再次申诉")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=person(HEAD), appeal_id=appeal.pk, uphold=True, decision="成立")
    assert figures(Scope()).bad == 1
    services.appeal_decide(actor=person(SUPERVISOR), appeal_id=appeal.pk, uphold=True, decision="经核实属实")
    assert Rating.objects.get(pk=rating.pk).excluded and figures(Scope()).rated == 0
    with pytest.raises(Conflict):
        services.appeal_decide(actor=person(SUPERVISOR), appeal_id=appeal.pk, uphold=False, decision="改判")


def test_a_dismissed_appeal_leaves_the_rating_counted(world: None) -> None:
    rating = _bad()
    appeal = services.appeal_file(actor=person(HEAD), rating_id=rating.pk, reason="不认可")
    services.appeal_decide(actor=person(SUPERVISOR), appeal_id=appeal.pk, uphold=False, decision="评价有据")
    assert not Rating.objects.get(pk=rating.pk).excluded and figures(Scope()).bad == 1


@pytest.mark.parametrize(("status", "action"), list(itertools.product([None, *Handling], HandlingAction)))
def test_every_handling_pair(status: Handling | None, action: HandlingAction) -> None:
    expected = HANDLING_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(Conflict):
            handling_next_status(status, action)
    else:
        assert handling_next_status(status, action) == expected


@pytest.mark.parametrize(("status", "action"), list(itertools.product([None, *AppealStatus], AppealAction)))
def test_every_appeal_pair(status: AppealStatus | None, action: AppealAction) -> None:
    expected = APPEAL_TRANSITIONS.get((status, action))
    if expected is None:
        with pytest.raises(Conflict):
            appeal_next_status(status, action)
    else:
        assert appeal_next_status(status, action) == expected


@pytest.mark.django_db(transaction=True)
def test_each_answer_commits_with_its_notice_to_the_rater(world: None) -> None:
    """Outside a test's wrapping transaction: the notice is queued inside the answer's own."""
    fixed, explained, rectified = _bad(), _bad(), _bad()
    services.rating_fix(actor=person(HEAD), rating_id=fixed.pk, how="已更正")
    services.rating_explain(actor=person(HEAD), rating_id=explained.pk, explanation="无法律依据")
    services.rating_rectify(actor=person(HEAD), rating_id=rectified.pk, plan="整改", days=7)
    services.rectification_close(actor=person(HEAD), rating_id=rectified.pk, result="已整改")
    subjects = set(Message.objects.filter(recipient=fixed.rater).values_list("subject", flat=True))
    assert {s.split("】", 1)[1] for s in subjects if "差评" in s} >= {
        "您的差评已立行立改",
        "关于您的差评的解释说明",
        "您的差评已启动整改",
        "您的差评整改已完成，欢迎评价整改结果",
    }
