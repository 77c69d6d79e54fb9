"""政务服务数据公开 (portal) against the 监察看板 (workbench): anyone sees the same on-time rate as
the supervisors' dashboard, per department and item, and never a case. Here, not in an
interface's tests, because it reads both interfaces (they stay independent of each other)."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.supervision.tests.test_rollup import scene
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
PERIOD = {"since": "2026-02-01", "until": "2026-03-31"}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_public_page_shows_the_dashboards_on_time_rate_and_no_case(login_as: Callable[[str], Client]) -> None:
    cases = scene()
    public = Client().get("/data/", PERIOD)
    assert public.status_code == 200
    assert_sound_html(public.content.decode())
    board = login_as("jn_supervisor").get("/workbench/supervision/", PERIOD)
    rate = re.search(r"按期办结率 ([\d.]+)%", text(board))
    assert rate is not None and f"按期办结率 {rate.group(1)}%" in text(public)
    assert "济南市行政审批服务局" in text(public)
    assert not any(case.number and case.number in public.content.decode() for case in cases.values())
    by_item = Client().get("/data/", {**PERIOD, "by": "item"})
    assert by_item.status_code == 200 and "食品经营许可" in text(by_item)


@pytest.mark.parametrize("query", [{"by": "region"}, {"since": "yesterday"}, {"department": "nope"}])
def test_a_bad_filter_is_named_on_the_public_page(world: None, query: dict[str, str]) -> None:
    response = Client().get("/data/", query)
    assert response.status_code == 400 and "筛选条件有误" in text(response)
