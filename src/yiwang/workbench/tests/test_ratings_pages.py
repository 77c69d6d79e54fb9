"""好差评 in the workbench: the department sees a bad review with its working-day deadline,
answers it (a rectification opened and closed), appeals it, and a supervisor decides; who
gets which forms (ratings.policy.actions_for) and who is refused."""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import Role, StaffRole
from yiwang.cases.models import Case
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.ratings import policy, services
from yiwang.ratings.models import Appeal, Rating
from yiwang.ratings.tests.scene import concluded, notice_token, person
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
TODAY = dt.datetime(2026, 6, 1, 10, 0)  # a Monday; 端午 (19–21 June) falls in the next 15 working days
ANSWER_BUTTONS = ("立行立改</summary>", "启动整改</summary>", "解释说明</summary>", "记录回访</summary>")


@pytest.fixture(autouse=True)
def _today(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(TODAY):
        yield


def text(response: Any) -> str:
    """The page's visible text, tags dropped (what a person reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def bad_review(case: Case | None = None) -> Rating:
    """zhangsan rates a concluded case 非常不满意 through the conclusion notice's link."""
    case = case or concluded()
    return services.rating_give_by_link(token=notice_token(case), grade=1, tags=["guide"], text="指南写错了材料")


def page_url(rating: Rating) -> str:
    return f"/workbench/ratings/{rating.pk}/"


def act(client: Client, rating: Rating, action: str, **data: Any) -> Any:
    return client.post(f"/workbench/ratings/{rating.pk}/actions/{action}/", data)


def reload(rating: Rating) -> Rating:
    return Rating.objects.get(pk=rating.pk)


def test_the_head_sees_the_bad_review_first_with_its_deadline_and_the_rater_masked(login_as: Login) -> None:
    bad = bad_review()
    good_case = concluded("lisi")
    services.rating_give(actor=person("lisi"), case_number=str(good_case.number), grade=5, tags=[], text="")
    head = login_as("jn_head")
    assert "好差评" in text(head.get("/workbench/"))
    listed = head.get("/workbench/ratings/")
    page = text(listed)
    assert_sound_html(listed.content.decode())
    assert page.index(str(bad.case.number)) < page.index(str(good_case.number))  # bad reviews first
    due = working_calendar().add_working_days(TODAY.date(), 3)
    assert f"{due:%Y-%m-%d} 核实处理" in page and "非常不满意" in page and "办结通知链接" in page
    assert f'href="/workbench/cases/{bad.case.number}/"' in listed.content.decode()
    only_bad = text(head.get("/workbench/ratings/", {"bad": "1"}))
    assert str(bad.case.number) in only_bad and str(good_case.number) not in only_bad

    detail = head.get(page_url(bad))
    shown = text(detail)
    assert_sound_html(detail.content.decode())
    assert "张*" in shown and "张三" not in shown  # the rater masked, what they wrote shown
    assert "指南写错了材料" in shown and "指南准确" in shown and "与账本一致" in shown
    assert all(button in detail.content.decode() for button in (*ANSWER_BUTTONS, "提出申诉</summary>"))
    assert "完成整改</summary>" not in detail.content.decode()


def test_a_rectification_of_15_working_days_is_opened_and_closed(login_as: Login) -> None:
    rating = bad_review()
    head = login_as("jn_head")
    refused = act(head, rating, "rectify", plan="重写材料清单说明", days="")
    assert refused.status_code == 422
    assert "整改期限：请选择 5、7 或 15 个工作日" in text(refused) and "重写材料清单说明" in text(refused)
    assert reload(rating).handling == "pending"

    done = act(head, rating, "rectify", plan="重写材料清单说明", days="15")
    due = working_calendar().add_working_days(TODAY.date(), 15)
    assert due == dt.date(2026, 6, 23)  # 15 working days past 端午, not 15 weekdays (22 June)
    assert done.status_code == 302 and f"整改期限为 {due:%Y-%m-%d}" in text(head.get(done["Location"]))
    assert f"{due:%Y-%m-%d} 整改" in text(head.get("/workbench/ratings/", {"handling": "rectifying"}))
    assert str(rating.case.number) not in text(head.get("/workbench/ratings/", {"handling": "pending"}))
    with clock.frozen(dt.datetime(2026, 6, 24, 9, 0)):
        assert "已超期" in text(head.get("/workbench/ratings/"))
        closed = act(head, rating, "close", result="材料清单已改正并发布")
    assert closed.status_code == 302 and reload(rating).handling == "rectified"
    html = head.get(page_url(rating)).content.decode()
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "已整改" in page and "材料清单已改正并发布" in page and "已超期" not in page
    assert "差评启动整改" in page and "差评整改完成" in page  # the timeline, with the reasons
    assert "完成整改</summary>" not in html


def test_who_gets_which_forms(login_as: Login) -> None:
    rating = bad_review()
    assert policy.actions_for(person("jn_head"), rating) == {"fix", "rectify", "explain", "revisit", "appeal"}
    assert policy.actions_for(person("jn_window"), rating) == {"fix", "rectify", "explain", "revisit"}
    assert policy.actions_for(person("jn_supervisor"), rating) == frozenset()
    assert policy.actions_for(person("jn_reviewer"), rating) == frozenset()
    services.rating_rectify(actor=person("jn_window"), rating_id=rating.pk, plan="改", days=5)
    assert policy.actions_for(person("jn_window"), reload(rating)) == {"close", "revisit"}


def test_a_reviewer_gets_no_forms_and_a_403_and_a_supervisor_cannot_answer(login_as: Login) -> None:
    rating = bad_review()
    reviewer = login_as("jn_reviewer")
    side_nav = reviewer.get("/workbench/").content.decode()
    assert 'href="/workbench/ratings/"' not in side_nav  # no 好差评 entry (the portal's public link is another)
    assert reviewer.get("/workbench/ratings/").status_code == 403
    assert reviewer.get(page_url(rating)).status_code == 403
    assert act(reviewer, rating, "fix", how="已改").status_code == 403
    supervisor = login_as("jn_supervisor")
    seen = supervisor.get(page_url(rating))
    assert seen.status_code == 200 and not any(b in seen.content.decode() for b in ANSWER_BUTTONS)
    refused = act(supervisor, rating, "fix", how="已改")
    assert refused.status_code == 403 and "负责人或窗口人员" in text(refused)
    assert reload(rating).handling == "pending"


def test_the_supervisor_decides_the_heads_appeal_and_the_list_marks_the_rating_excluded(login_as: Login) -> None:
    rating = bad_review()
    head = login_as("jn_head")
    assert act(head, rating, "appeal", reason="申请人评价的是其他部门的事项").status_code == 302
    appeal = Appeal.objects.get(rating=rating)
    assert "decide" not in policy.actions_for(person("jn_head"), reload(rating))
    refused = act(head, rating, "decide", verdict="uphold", decision="成立")
    assert refused.status_code == 403 and Appeal.objects.get(pk=appeal.pk).status == "filed"

    supervisor = login_as("jn_supervisor")
    form = supervisor.get(page_url(rating))
    assert "复核申诉</summary>" in form.content.decode() and "申请人评价的是其他部门的事项" in text(form)
    assert_sound_html(form.content.decode())
    missing = act(supervisor, rating, "decide", decision="经核实，评价对象有误")
    assert missing.status_code == 422
    assert "复核结论：请选择" in text(missing) and "经核实，评价对象有误" in text(missing)
    assert act(supervisor, rating, "decide", verdict="uphold", decision="经核实，评价对象有误").status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "upheld" and reload(rating).excluded
    listed = text(head.get("/workbench/ratings/"))
    assert str(rating.case.number) in listed and "申诉成立，不计入统计" in listed
    assert "提出申诉</summary>" not in head.get(page_url(rating)).content.decode()


def test_a_supervisor_with_another_post_in_the_rated_department_may_not_decide(login_as: Login) -> None:
    rating = bad_review()
    services.appeal_file(actor=person("jn_head"), rating_id=rating.pk, reason="恶意评价")
    supervisor = person("jn_supervisor")
    assert "decide" in policy.actions_for(supervisor, reload(rating))
    StaffRole.objects.create(user=supervisor, role=Role.REVIEWER, department=rating.department)
    assert "decide" not in policy.actions_for(supervisor, reload(rating))
    refused = act(login_as("jn_supervisor"), rating, "decide", verdict="uphold", decision="成立")
    assert refused.status_code == 403 and "职责分离" in text(refused) and not reload(rating).excluded


def test_the_side_nav_links_好差评_for_a_head_only_among_these(login_as) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/workbench/ratings/"' in login_as("jn_head").get("/workbench/").content.decode()
    assert 'href="/workbench/ratings/"' not in login_as("jn_reviewer").get("/workbench/").content.decode()
