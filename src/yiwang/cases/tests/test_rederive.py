"""Due dates after a change of the working-day calendar: provisional (暂定) first, then the
official year's, re-derived by a job with a notice to whoever's date moved (ADR 0011)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from yiwang.cases import selectors
from yiwang.cases.models import Case, Task
from yiwang.cases.tasks import calendar_rederive, deadline_sweep
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.notifications.models import Message
from yiwang.workcalendar import services as calendar_services

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试）"


def publish_2027(capture: Callable[..., Any], *days: tuple[dt.date, bool, str]) -> None:
    """Enter and publish an official 2027 through the services, running the after-commit jobs."""
    admin = user("admin")
    with capture(execute=True):
        calendar_services.calendar_year_add(actor=admin, year=2027, source=NOTICE)
    for day, working, name in days:
        with capture(execute=True):
            calendar_services.calendar_day_set(actor=admin, day=day, is_working_day=working, name=name)
    with capture(execute=True):
        calendar_services.calendar_year_publish(actor=admin, year=2027)


# The official 2027 of these tests differs from the projection: 元旦 takes 1–5 January off.
LONG_NEW_YEAR = [(D(2027, 1, 1), False, "元旦"), (D(2027, 1, 4), False, "元旦"), (D(2027, 1, 5), False, "元旦")]


def applicant_notices(case: Case) -> list[str]:
    rows = Message.objects.filter(
        recipient=case.applicant, subject__contains="办结期限调整", body__contains=case.number, channel="in_app"
    )
    return list(rows.order_by("id").values_list("body", flat=True))


def test_a_december_case_is_due_provisionally_then_on_the_official_date(
    world: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    version = ImplementationVersionFactory()  # 20 statutory / 15 committed working days
    with flows.on(D(2026, 12, 24)):
        case = flows.accepted(version)
        clock = selectors.case_detail_for(user("zhangsan"), case.number or "").clock
    # Before the fix: no due date at all ("工作日历未配置 2027 年…暂无法计算办结日期").
    assert (case.due_date, case.committed_due_date, case.warning_date) == (
        D(2027, 1, 22),
        D(2027, 1, 15),
        D(2027, 1, 12),
    )
    assert "应于 2027-01-22（暂定） 前办结" in clock.explanation
    assert "2027 年节假日安排尚未发布，按暂定日历推算" in clock.explanation
    assert clock.statutory.provisional and clock.committed.provisional
    accepted = Message.objects.filter(recipient=case.applicant, subject__contains="已受理", channel="in_app").get()
    assert "依法应于 2027-01-22（暂定） 前办结" in accepted.body
    task = flows.open_task(case, "review")
    task_due = task.due_date
    assert task_due is not None

    publish_2027(django_capture_on_commit_callbacks, *LONG_NEW_YEAR)

    case = flows.reload(case)
    assert (case.due_date, case.committed_due_date, case.warning_date) == (
        D(2027, 1, 26),
        D(2027, 1, 19),
        D(2027, 1, 14),
    )
    with flows.on(D(2026, 12, 28)):
        clock = selectors.case_detail_for(user("zhangsan"), case.number or "").clock
    assert "应于 2027-01-26 前办结" in clock.explanation and "暂定" not in clock.explanation
    assert not clock.statutory.provisional
    assert applicant_notices(case) == [
        f"办件编号 {case.number}：因工作日历（法定节假日安排）调整，"
        "承诺办结期限由 2027-01-15（暂定） 调整为 2027-01-19；法定办结期限由 2027-01-22（暂定） 调整为 2027-01-26。"
    ]
    task = Task.objects.get(pk=task.pk)
    assert task.due_date is not None and task.due_date > task_due
    staff = Message.objects.filter(
        subject__contains="任务期限调整", body__contains=f"由 {task_due.isoformat()}（暂定）"
    )
    assert staff.exists()

    # The sweep now warns on the official warning date (before the fix it warned nobody).
    with flows.on(D(2027, 1, 14)):
        deadline_sweep.call()
    assert Message.objects.filter(recipient=user("jn_approver"), subject=f"【{case.number}】办件临期预警").exists()


def test_an_official_year_equal_to_the_projection_moves_nobody(
    world: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with flows.on(D(2026, 12, 24)):
        case = flows.accepted(ImplementationVersionFactory())
    publish_2027(django_capture_on_commit_callbacks, (D(2027, 1, 1), False, "元旦"))
    case = flows.reload(case)
    assert case.due_date == D(2027, 1, 22)
    assert applicant_notices(case) == []
    with flows.on(D(2026, 12, 28)):
        assert "暂定" not in selectors.case_detail_for(user("zhangsan"), case.number or "").clock.explanation


def test_editing_one_day_moves_only_the_cases_it_touches(
    world: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with flows.on(D(2026, 11, 2)):
        early = flows.accepted(ImplementationVersionFactory())
        late = flows.accepted(ImplementationVersionFactory())
    with flows.on(D(2026, 11, 20)):
        later = flows.accepted(ImplementationVersionFactory())
    assert (early.due_date, later.due_date) == (D(2026, 11, 30), D(2026, 12, 18))
    with flows.on(D(2026, 11, 23)), django_capture_on_commit_callbacks(execute=True):
        # An extra day off on 10 December (inside the later case's time, after the early one's).
        calendar_services.calendar_day_set(
            actor=user("admin"), day=D(2026, 12, 10), is_working_day=False, name="临时休假"
        )
    assert flows.reload(early).due_date == D(2026, 11, 30)
    assert flows.reload(late).due_date == D(2026, 11, 30)
    assert flows.reload(later).due_date == D(2026, 12, 21)
    assert applicant_notices(early) == [] and applicant_notices(late) == []
    assert len(applicant_notices(later)) == 1 and "由 2026-12-18 调整为 2026-12-21" in applicant_notices(later)[0]


def test_running_the_job_again_changes_nothing(
    world: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with flows.on(D(2026, 12, 24)):
        case = flows.accepted(ImplementationVersionFactory())
    publish_2027(django_capture_on_commit_callbacks, *LONG_NEW_YEAR)
    dates = Case.objects.values_list("pk", "due_date", "committed_due_date", "warning_date").order_by("pk")
    tasks = Task.objects.values_list("pk", "due_date", "warning_date").order_by("pk")
    before = (list(dates), list(tasks), Message.objects.count())
    result = calendar_rederive.call()
    assert result["cases_seen"] >= 1 and result["cases_changed"] == 0 and result["notices"] == 0
    assert (list(dates), list(tasks), Message.objects.count()) == before
    assert flows.reload(case).due_date == D(2027, 1, 26)


def test_a_date_beyond_every_configured_and_projected_year_still_fails_loudly(world: None) -> None:
    version = ImplementationVersionFactory(statutory_limit_days=600, committed_limit_days=600)
    with flows.on(D(2026, 12, 24)):
        case = flows.accepted(version)
        clock = selectors.case_detail_for(user("zhangsan"), case.number or "").clock
    assert case.due_date is None
    assert "工作日历未配置 2029 年" in clock.explanation


def test_pages_and_the_api_mark_a_provisional_date(login_as: Callable[[str], Any]) -> None:
    with flows.on(D(2026, 12, 24)):
        case = flows.accepted(ImplementationVersionFactory())
        applicant, staff = login_as("zhangsan"), login_as("jn_approver")
        portal = applicant.get(f"/me/cases/{case.number}/").content.decode()
        assert '2027-01-15</strong> <span class="badge badge--neutral"' in portal and ">暂定</span>" in portal
        assert "应于 2027-01-15（暂定） 前办结" in portal
        assert ">暂定</span>" in applicant.get("/me/cases/").content.decode()
        page = staff.get(f"/workbench/cases/{case.number}/", {"reason": "审批复核"}, follow=True).content.decode()
        assert '2027-01-22</span> <span class="badge badge--neutral"' in page
        api = applicant.get(f"/api/v1/cases/{case.number}").json()
        assert api["clock"]["due_date"] == "2027-01-22" and api["clock"]["due_date_provisional"] is True
        assert api["clock"]["committed_due_date_provisional"] is True
        listed = applicant.get("/api/v1/cases").json()
        row = next(r for r in listed["items"] if r["number"] == case.number)
        assert row["due_date_provisional"] is True
    with flows.on(D(2026, 6, 1)):
        early = flows.accepted(ImplementationVersionFactory())
        api = applicant.get(f"/api/v1/cases/{early.number}").json()
        assert api["clock"]["due_date_provisional"] is False
        assert "暂定" not in applicant.get(f"/me/cases/{early.number}/").content.decode()
