"""A supervisor with posts in two separate regions (济南市 and 泰安市) sees both on the
dashboard, its drill-down, the Excel file and the evaluation — never a third region (the
province's own department) — and may narrow to either with the region selector."""

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiwang.accounts.models import Role, User
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.cases.models import Case
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, dept
from yiwang.supervision import eval_schemes, policy
from yiwang.supervision.tests.scene import D
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
MARCH = {"since": "2026-03-01", "until": "2026-03-31"}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def two_region_supervisor() -> User:
    supervisor = staff_create(
        actor=None, username="jt_supervisor", password="Yiwang-demo-2026", display_name="两地监察"
    )
    for key in ("jn_approval", "ta_approval"):
        staff_role_grant(actor=None, user=supervisor, role=Role.SUPERVISOR, department=dept(key))
    return supervisor


def one_case_each() -> dict[str, Case]:
    """One application in March to a department of 济南, of 泰安 and of the province itself."""
    with flows.on(D(2026, 3, 2)):
        return {
            key: flows.submit(ImplementationVersionFactory(implementation__department=dept(key)))
            for key in ("jn_approval", "ta_approval", "sd_approval")
        }


def test_the_prefixes_are_both_regions(world: None) -> None:
    assert policy.supervised_prefixes(two_region_supervisor()) == ["3701", "3709"]


def test_the_dashboard_drill_and_export_cover_both_regions_and_no_third(world: None, login_as: Login) -> None:
    two_region_supervisor()
    cases = one_case_each()
    client = login_as("jt_supervisor")
    page = client.get("/workbench/supervision/", MARCH)
    assert page.status_code == 200
    assert_sound_html(page.content.decode())
    shown = text(page)
    assert "济南市、泰安市" in shown  # the scope line
    assert "济南市行政审批服务局" in shown and "泰安市行政审批服务局" in shown
    assert "山东省行政审批服务局" not in shown
    options = re.findall(r'<option value="(\d{12})"', page.content.decode())
    assert "370100000000" in options and "370900000000" in options
    assert "370000000000" not in options and "371000000000" not in options  # the province, 威海
    drill = client.get("/workbench/supervision/cases/", {**MARCH, "drill": "submitted"})
    listed = text(drill)
    assert cases["jn_approval"].number in listed and cases["ta_approval"].number in listed
    assert cases["sd_approval"].number not in listed
    sheet = load_workbook(io.BytesIO(client.get("/workbench/supervision/export.xlsx", MARCH).content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] == "部门")
    assert next(row for row in rows if row and row[0] == "合计")[header.index("申请件数")] == 2
    assert ["区划", "济南市、泰安市"] in [row[:2] for row in rows]


def test_the_region_selector_narrows_to_one_of_them_only(world: None, login_as: Login) -> None:
    two_region_supervisor()
    cases = one_case_each()
    client = login_as("jt_supervisor")
    taian = client.get("/workbench/supervision/cases/", {**MARCH, "drill": "submitted", "region": "370900000000"})
    assert cases["ta_approval"].number in text(taian) and cases["jn_approval"].number not in text(taian)
    for query in (
        {"region": "371000000000"},
        {"region": "370000000000"},
        {"department": dept("sd_approval").credit_code},
    ):
        refused = client.get("/workbench/supervision/", {**MARCH, **query})
        assert refused.status_code == 400
        assert client.get("/workbench/supervision/cases/", {**MARCH, **query, "drill": "submitted"}).status_code == 400
        assert client.get("/workbench/supervision/export.xlsx", {**MARCH, **query}).status_code == 404
    # a department of the second region is a valid filter (it was refused against the first one's)
    ta = client.get("/workbench/supervision/", {**MARCH, "department": dept("ta_approval").credit_code})
    assert ta.status_code == 200 and "泰安市行政审批服务局" in text(ta)


def test_the_evaluation_ranks_the_departments_of_both(world: None, login_as: Login) -> None:
    two_region_supervisor()
    one_case_each()
    eval_schemes.ensure_default_schemes()
    shown = text(login_as("jt_supervisor").get("/workbench/supervision/evaluation/", {"month": "2026-03"}))
    assert "济南市行政审批服务局" in shown and "泰安市行政审批服务局" in shown
    assert "山东省行政审批服务局" not in shown
    by_region = text(
        login_as("jt_supervisor").get("/workbench/supervision/evaluation/", {"month": "2026-03", "by": "region"})
    )
    assert "济南市（本级）" in by_region and "泰安市（本级）" in by_region
    jinan_only = text(login_as("jn_supervisor").get("/workbench/supervision/evaluation/", {"month": "2026-03"}))
    assert "济南市行政审批服务局" in jinan_only and "泰安市行政审批服务局" not in jinan_only
