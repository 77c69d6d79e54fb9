"""The case lists read what their rows show (issue 18): a fixed number of queries whatever
the rows (of other items each time), and the workbench home says "50+ 件" rather than count
its queues (the API's queues: api/tests/test_queue_pages.py)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.cases.tests import flows
from yiwang.workbench import cases as workbench_cases
from yiwang.workbench.tests.test_inbox import _scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_version_read_once")]

D = dt.date
Login = Callable[[str], Client]


def _queries(client: Client, path: str) -> tuple[int, Any]:
    client.get(path)  # sessions, caches: warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("zhangsan", "/me/cases/"),
        ("jn_window", "/workbench/cases/"),
    ],
)
def test_a_list_reads_the_same_queries_for_3_rows_and_for_30_of_other_items(
    login_as: Login, username: str, path: str
) -> None:
    """Each `_scene` files its cases under a new item version: the second page's rows point
    to other catalog rows than the first's, and the queries stay the same (no read per row)."""
    client = login_as(username)
    counts = []
    for more in (3, 27):
        _scene(more)
        with flows.on(D(2026, 3, 20)):
            counts.append(_queries(client, path)[0])
    assert counts[0] == counts[1], counts


def test_the_home_says_there_are_more_when_a_queue_holds_more_than_it_lists(
    login_as: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scene(3)
    client = login_as("jn_window")
    with flows.on(D(2026, 3, 20)):
        assert "共 <strong>3</strong> 件待办" in client.get("/workbench/").content.decode()
        monkeypatch.setattr(workbench_cases, "INBOX_LIMIT", 2)
        page = client.get("/workbench/").content.decode()
    assert "<strong>2+</strong> 件待办（列出最紧急的 2 件）" in page and "共 <strong>" not in page
