"""The workbench home's inbox and the task inbox API: what the rows show, most urgent first,
the user's claimed tasks included, other departments' tasks left out, and a number of
queries that does not grow with the number of rows."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.cases import inbox, services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, parallel_process, user
from yiwang.catalog.models import ImplementationVersion

pytestmark = pytest.mark.django_db

D = dt.date
Login = Callable[[str], Client]
ROW = re.compile(r'<tr class="row--(\w+)">.*?>(\d{6}-\d{8}-\d{6})</a>.*?</tr>', re.S)


def _version() -> ImplementationVersion:
    version: ImplementationVersion = ImplementationVersionFactory(process=parallel_process(), statutory_limit_days=45)
    return version


def _accepted_on(version: ImplementationVersion, day: dt.date) -> Case:
    """A 并联审批 case accepted on `day`: 规划审查 (10 working days) for jn_planning, 消防审查
    for jn_fire, …"""
    with flows.on(day):
        return flows.accepted(version)


def _rows(client: Client) -> list[tuple[str, str]]:
    response = client.get("/workbench/")
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def _home_queries(client: Client) -> int:
    client.get("/workbench/")  # sessions, caches: warm
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/workbench/").status_code == 200
    return len(ctx.captured_queries)


def test_inbox_rows_most_urgent_first_with_claimed_tasks_and_only_own_departments(login_as: Login) -> None:
    version = _version()
    late = _accepted_on(version, D(2026, 3, 2))  # 规划审查 due 2026-03-16
    soon = _accepted_on(version, D(2026, 3, 9))  # due 2026-03-23, warning from 2026-03-19
    fresh = _accepted_on(version, D(2026, 3, 16))  # due 2026-03-30
    with flows.on(D(2026, 3, 16)):
        services.task_claim(actor=user("jn_planning_rev"), task=flows.open_task(fresh, "planning"))
        services.task_claim(actor=user("jn_fire_rev"), task=flows.open_task(soon, "fire"))
    reviewer = login_as("jn_planning_rev")
    with flows.on(D(2026, 3, 19)):
        rows = _rows(reviewer)
        html = reviewer.get("/workbench/").content.decode()
        api = reviewer.get("/api/v1/cases/tasks").json()
        page = reviewer.get("/api/v1/cases/tasks", {"limit": 1, "offset": 1}).json()
        fire_inbox = [(t.case_number, t.key) for t in inbox.task_inbox_for(user("jn_fire_rev"))[:50]]
    assert rows == [("overdue", late.number), ("warning", soon.number), ("normal", fresh.number)]
    assert "已超 3 个工作日" in html and "已超期" in html  # 03-17, 03-18, 03-19
    assert "剩余 2 个工作日" in html and "即将到期" in html  # 03-20, 03-23
    assert "剩余 7 个工作日" in html and "2026-03-30" in html
    assert html.count("规划审查（济南市自然资源和规划局，待领取）") == 2
    assert "规划审查（济南市自然资源和规划局，我已领取）" in html
    assert "消防审查" not in html and "交通审查" not in html  # other departments' tasks
    assert "张*" in html and "共 <strong>3</strong> 件待办" in html
    assert [(t["case_number"], t["name"]) for t in api["items"]] == [
        (late.number, "规划审查"),
        (soon.number, "规划审查"),
        (fresh.number, "规划审查"),
    ]
    assert api["count"] == 3 and [t["assignee"] for t in api["items"]][2] is not None
    assert page["count"] == 3 and [t["case_number"] for t in page["items"]] == [soon.number]
    # The fire reviewer: their department's open tasks and the one they claimed, by due date.
    assert fire_inbox == [(late.number, "fire"), (soon.number, "fire"), (fresh.number, "fire")]


def test_a_paused_task_shows_no_running_deadline(login_as: Login) -> None:
    version = _version()
    case = _accepted_on(version, D(2026, 3, 2))
    with flows.on(D(2026, 3, 10)):
        services.case_suspend(
            actor=user("jn_reviewer"), case=case, procedure="expert_review", reason="需组织专家论证", expected_days=10
        )
        html = login_as("jn_planning_rev").get("/workbench/").content.decode()
    assert "规划审查（济南市自然资源和规划局，待领取，暂停计时）" in html
    assert [state for state, _ in ROW.findall(html)] == ["normal"]


def test_inbox_ignores_finished_tasks_and_finds_the_task_of_a_case(world: Any) -> None:
    version = _version()
    done = _accepted_on(version, D(2026, 3, 2))
    other = _accepted_on(version, D(2026, 3, 3))
    with flows.on(D(2026, 3, 4)):
        services.task_complete(
            actor=user("jn_planning_rev"), task=flows.open_task(done, "planning"), outcome="approve", opinion="同意"
        )
        queue = inbox.task_inbox_for(user("jn_planning_rev"))
        assert [t.case_number for t in queue] == [other.number] and queue.count() == len(queue) == 1
        assert queue[1:] == [] and queue[0:0] == []
        found = inbox.inbox_task_of_case(user("jn_planning_rev"), other.number or "")
        assert found is not None and found.key == "planning"
        assert inbox.inbox_task_of_case(user("jn_planning_rev"), done.number or "") is None
        assert inbox.task_inbox_for(user("zhangsan"))[:10] == []  # no post: the claimed branch alone


def _scene(tasks: int) -> None:
    """`tasks` 并联审批 cases in review (a third of the planning tasks claimed, one suspended,
    one overdue) and as many new submissions at the window."""
    version = _version()
    for i in range(tasks):
        case = _accepted_on(version, D(2026, 3, 2) if i == 0 else D(2026, 3, 9))
        with flows.on(D(2026, 3, 9)):
            if i % 3 == 1:
                services.task_claim(actor=user("jn_planning_rev"), task=flows.open_task(case, "planning"))
            if i == 2:
                services.case_suspend(
                    actor=user("jn_reviewer"), case=case, procedure="expert_review", reason="专家论证", expected_days=5
                )
            flows.submit(version)


@pytest.mark.usefixtures("calendar_version_read_once")
@pytest.mark.parametrize("username", ["jn_planning_rev", "jn_window"])
def test_home_queries_do_not_grow_with_the_rows(login_as: Login, username: str) -> None:
    client = login_as(username)
    counts = []
    for n, more in ((3, 3), (30, 27)):
        _scene(more)
        with flows.on(D(2026, 3, 20)):
            assert len(_rows(client)) == n
            counts.append(_home_queries(client))
    # The ceiling: the session, the user, their posts (read once for every policy the side
    # navigation asks), the inbox's queries and the unread messages.
    assert counts[0] == counts[1] <= 10, counts


@pytest.mark.usefixtures("calendar_version_read_once")
def test_home_queries_do_not_grow_with_the_posts(login_as: Login) -> None:
    """Every policy of the page (the side navigation's entries, the inbox's branches) answers
    from the posts read once per request: a clerk with more posts costs no more queries."""
    from yiwang.accounts.models import Department, Role, StaffRole

    _scene(3)
    clerk = user("jn_planning_rev")
    client = login_as("jn_planning_rev")
    with flows.on(D(2026, 3, 20)):
        before = _home_queries(client)
        for department in Department.objects.exclude(staff_roles__user=clerk)[:3]:
            for role in (Role.REVIEWER, Role.DATA_STEWARD, Role.SUPERVISOR):
                StaffRole.objects.create(user=clerk, role=role, department=department)
        page = client.get("/workbench/").content.decode()
        after = _home_queries(client)
    assert "数据共享" in page and "监察看板" in page  # the new posts' entries are there
    assert after == before, (before, after)


@pytest.mark.usefixtures("calendar_version_read_once")
def test_task_inbox_api_queries_do_not_grow_with_the_rows(login_as: Login) -> None:
    client = login_as("jn_planning_rev")
    counts = []
    for n, more in ((3, 3), (30, 27)):
        _scene(more)
        with flows.on(D(2026, 3, 20)):
            client.get("/api/v1/cases/tasks")
            with CaptureQueriesContext(connection) as ctx:
                body = client.get("/api/v1/cases/tasks").json()
            assert body["count"] == len(body["items"]) == n
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 8, counts


def test_the_window_sees_new_submissions_turn_due_then_overdue(login_as: Login) -> None:
    """A submission must be taken in within 5 working days (then the law accepts it): the
    window's row is 正常 at first, 即将到期 on the last working day, 已超期 after it;
    the most urgent comes first."""
    version = _version()
    with flows.on(D(2026, 3, 9)):
        older = flows.submit(version)  # received Mon 03-09: acceptance window ends Mon 03-16
    with flows.on(D(2026, 3, 12)):
        newer = flows.submit(version)  # received Thu 03-12: window ends Thu 03-19
    window = login_as("jn_window")
    with flows.on(D(2026, 3, 10)):
        assert _rows(window) == [("normal", older.number), ("normal", newer.number)]  # by due date
    with flows.on(D(2026, 3, 13)):
        assert _rows(window) == [("warning", older.number), ("normal", newer.number)]
    with flows.on(D(2026, 3, 18)):
        rows, html = _rows(window), window.get("/workbench/").content.decode()
    assert rows == [("overdue", older.number), ("warning", newer.number)]
    assert '<span class="badge badge--overdue">已超期</span>' in html
    assert '<span class="badge badge--warning">即将到期</span>' in html
