"""The API's case lists (issue 18): rows fed to ninja as plain dicts show what they showed,
in a fixed number of queries whatever the rows; the staff queues (intake, tasks) are counted
only up to a window (null + has_more beyond) and paged within it, with a Chinese 422 beyond."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.api import case_pages
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, parallel_process, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_version_read_once")]

D = dt.date
Login = Callable[[str], Client]


def _scene(n: int) -> None:
    """`n` 并联审批 cases in review under a new item version (every other planning task claimed)
    and as many new submissions at the window, all by zhangsan."""
    version = ImplementationVersionFactory(process=parallel_process(), statutory_limit_days=45)
    for i in range(n):
        with flows.on(D(2026, 3, 9)):
            case = flows.accepted(version)
            if i % 2 == 1:
                services.task_claim(actor=user("jn_planning_rev"), task=flows.open_task(case, "planning"))
            flows.submit(version)


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("jn_window", "/api/v1/cases/intake"),
        ("jn_planning_rev", "/api/v1/cases/tasks"),
        ("zhangsan", "/api/v1/cases"),
        ("jn_window", "/api/v1/cases"),
    ],
)
def test_a_list_reads_the_same_queries_for_3_rows_and_for_30_of_other_items(
    login_as: Login, username: str, path: str
) -> None:
    client = login_as(username)
    counts = []
    for more in (3, 27):
        _scene(more)
        with flows.on(D(2026, 3, 20)):
            client.get(path)  # sessions, caches: warm
            with CaptureQueriesContext(connection) as ctx:
                body = client.get(path).json()
            assert len(body["items"]) >= (3 if more == 3 else 30)
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_api_rows_show_the_case_item_department_and_dates(login_as: Login) -> None:
    _scene(2)
    case = Case.objects.filter(status="submitted").order_by("submitted_at", "id").first()
    assert case is not None
    with flows.on(D(2026, 3, 20)):
        intake = login_as("jn_window").get("/api/v1/cases/intake").json()
        tasks = login_as("jn_planning_rev").get("/api/v1/cases/tasks").json()
    first = intake["items"][0]
    assert first["number"] == case.number and first["status_label"] == "已提交，待受理"
    assert first["item_name"] == case.implementation_version.item_version.name
    assert first["department_name"] == case.department.name and first["due_date_provisional"] is False
    assert intake["count"] == 2 and intake["has_more"] is False
    task = tasks["items"][0]
    assert task["case_number"].startswith("370100-") and task["department_name"] == "济南市自然资源和规划局"
    assert sorted(t["assignee"] or "" for t in tasks["items"]) == ["", str(user("jn_planning_rev"))]


def test_the_queues_are_counted_up_to_their_window_and_paged_within_it(
    login_as: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_pages, "QUEUE_WINDOW", 2)
    _scene(3)
    with flows.on(D(2026, 3, 20)):
        for username, path in (("jn_window", "/api/v1/cases/intake"), ("jn_planning_rev", "/api/v1/cases/tasks")):
            client = login_as(username)
            capped = client.get(path, {"limit": 1}).json()
            assert capped["count"] is None and capped["has_more"] is True and len(capped["items"]) == 1
            last = client.get(path, {"limit": 1, "offset": 1}).json()
            # the window's last page: more wait (count null) but there is no next page to ask for
            assert last["count"] is None and last["has_more"] is False and last["items"] != capped["items"]
            refused = client.get(path, {"limit": 2, "offset": 1})
            assert refused.status_code == 422
            assert refused["Content-Type"].startswith("application/problem+json")
            [error] = refused.json()["errors"]
            assert error["field"] == "offset"
            assert "最紧急的 2 件" in error["message"] and "offset + limit ≤ 2" in error["message"]
        monkeypatch.setattr(case_pages, "QUEUE_WINDOW", 3)
        whole = login_as("jn_window").get("/api/v1/cases/intake", {"limit": 3}).json()
        assert whole["count"] == 3 and whole["has_more"] is False and len(whole["items"]) == 3


def test_the_staff_list_ends_its_pages_at_its_window(login_as: Login, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that pages until `has_more` is false never reaches the refused offset."""
    monkeypatch.setattr(case_pages, "STAFF_WINDOW", 2)
    _scene(3)
    client = login_as("jn_window")
    first = client.get("/api/v1/cases", {"limit": 1}).json()
    assert first["has_more"] is True and first["count"] is None
    last = client.get("/api/v1/cases", {"limit": 1, "offset": 1}).json()
    assert last["has_more"] is False and last["count"] is None and last["items"] != first["items"]
    assert client.get("/api/v1/cases", {"limit": 1, "offset": 2}).status_code == 422
