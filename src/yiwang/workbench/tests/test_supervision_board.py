"""The monitoring dashboard: a supervisor sees the period's figures and the cases now overdue,
drills from a department's overdue count to its cases, exports the same table to Excel; bad
filters are named; nobody but a supervisor gets in."""

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiwang.core import clock
from yiwang.supervision.tests.test_rollup import scene
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
PERIOD = {"since": "2026-02-01", "until": "2026-03-31"}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_supervisor_sees_the_figures_and_drills_to_the_overdue_cases(login_as: Login) -> None:
    cases = scene()
    client = login_as("jn_supervisor")
    with clock.frozen(dt.date(2026, 3, 25)):
        page = client.get("/workbench/supervision/", PERIOD)
        assert page.status_code == 200 and "no-store" in page["Cache-Control"]
        assert_sound_html(page.content.decode())
        shown = text(page)
        assert "红牌：超承诺时限" in shown and "按期办结率 50.0%" in shown
        assert "济南市行政审批服务局" in shown and "监察看板" in shown  # the row and the nav entry
        overdue = re.search(r'href="([^"]*drill=overdue_now[^"]*)"', page.content.decode())
        assert overdue is not None
        listed = client.get(overdue.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    assert cases["running"].number in text(listed) and cases["late"].number not in text(listed)


def test_the_export_holds_the_same_table(login_as: Login) -> None:
    scene()
    response = login_as("jn_supervisor").get("/workbench/supervision/export.xlsx", PERIOD)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] == "部门")
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[header.index("申请件数")] == 5 and total[header.index("按期办结率(%)")] == 50.0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-13-01"}, "开始日期"),
        ({"since": "2026-03-01", "until": "2026-02-01"}, "结束日期"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "结束日期"),
        ({"region": "370900"}, "区划"),  # 泰安: not the Jinan supervisor's
        ({"department": "x" * 200}, "部门"),
        ({"item": "999999999999"}, "事项"),
        ({"by": "person"}, "分组"),
    ],
)
def test_a_bad_filter_is_named(login_as: Login, query: dict[str, str], field: str) -> None:
    response = login_as("jn_supervisor").get("/workbench/supervision/", query)
    assert response.status_code == 400 and f"{field}：" in text(response)


def test_only_supervisors_get_in(login_as: Login) -> None:
    for who in ("jn_window", "jn_head", "zhangsan"):
        client = login_as(who)
        assert client.get("/workbench/supervision/").status_code == 403
        assert client.get("/workbench/supervision/export.xlsx").status_code == 403
        assert client.get("/workbench/supervision/cases/", {"drill": "overdue_now"}).status_code == 403
