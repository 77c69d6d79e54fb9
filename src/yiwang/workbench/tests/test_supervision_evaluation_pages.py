"""考评 in the workbench: the month's ranking per department and per region with the scheme
version and its ledger entry, the Excel files; the scheme pages (a draft refused with what
was typed, published by a second supervisor, retired). Others are refused."""

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiwang.core import clock
from yiwang.supervision import eval_schemes
from yiwang.supervision.eval_models import SchemeVersion
from yiwang.supervision.rule_workflow import VersionStatus
from yiwang.supervision.tests.test_rollup import scene
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
SCHEMES = "/workbench/supervision/evaluation/schemes/"
TODAY = dt.date(2026, 12, 10)
FORM = {
    "weight-on_time_rate": "20",
    "weight-commitment_rate": "20",
    "weight-compression": "10",
    "target-compression": "60",
    "weight-online_rate": "10",
    "weight-good_rate": "30",
    "weight-rectification_rate": "10",
    "weight-notice_response_rate": "0",
    "valid_from": "2027-01",
    "note": "提高好评率权重",
}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_monthly_evaluation_ranks_departments_and_regions_and_exports(login_as: Login) -> None:
    scene()
    client = login_as("jn_supervisor")
    assert "没有生效的考评方案" in text(client.get("/workbench/supervision/evaluation/", {"month": "2026-02"}))
    eval_schemes.ensure_default_schemes()
    entry = eval_schemes.version_in_force("KP-DEPT", "2026-02").ledger_entry_id  # type: ignore[union-attr]
    page = client.get("/workbench/supervision/evaluation/", {"month": "2026-02"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert_sound_html(page.content.decode())
    shown = text(page)
    assert "部门政务服务月度考评（KP-DEPT 第 1 版" in shown and f"账本条目 {entry}" in shown
    assert "济南市行政审批服务局" in shown and "好评率" in shown and "无数据：" in shown
    sheet = client.get("/workbench/supervision/evaluation/export.xlsx", {"month": "2026-02"})
    assert sheet.status_code == 200 and sheet["Content-Disposition"] == 'attachment; filename="kaoping-2026-02.xlsx"'

    regions = client.get("/workbench/supervision/evaluation/", {"month": "2026-02", "by": "region"})
    assert regions.status_code == 200
    assert_sound_html(regions.content.decode())
    assert "区划政务服务月度考评（KP-REGION 第 1 版" in text(regions) and "济南市（本级）" in text(regions)
    link = re.search(r'href="(\?month=2026-02&amp;by=department&amp;unit=\d+)"', regions.content.decode())
    assert link is not None
    unit = client.get("/workbench/supervision/evaluation/" + link.group(1).replace("&amp;", "&"))
    assert unit.status_code == 200 and "济南市（本级）的部门" in text(unit) and "济南市行政审批服务局" in text(unit)
    workbook = client.get("/workbench/supervision/evaluation/export.xlsx", {"month": "2026-02", "by": "region"})
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(workbook.content)).active.iter_rows()]  # type: ignore[union-attr]
    assert rows[2][:2] == ["名次", "区划"] and rows[3][:2] == [1, "济南市（本级）"]

    for query in ({"month": "2026-99"}, {"month": "1e999999"}, {"month": "2026-02", "unit": "379999000000"}):
        assert client.get("/workbench/supervision/evaluation/", query).status_code == 400
    assert login_as("jn_head").get("/workbench/supervision/evaluation/").status_code == 403


def test_a_draft_is_published_by_a_second_supervisor_and_retired(login_as: Login) -> None:
    eval_schemes.ensure_default_schemes()
    drafter, second = login_as("jn_supervisor"), login_as("sd_supervisor")
    listing = drafter.get(SCHEMES)
    assert listing.status_code == 200 and "KP-DEPT" in text(listing) and "KP-REGION" in text(listing)
    assert_sound_html(listing.content.decode())
    with clock.frozen(TODAY):
        page = drafter.get(f"{SCHEMES}KP-DEPT/")
        assert page.status_code == 200 and 'value="2027-01"' in page.content.decode()  # next month by default
        assert_sound_html(page.content.decode())
        made = drafter.post(f"{SCHEMES}KP-DEPT/versions/", FORM)
        assert made.status_code == 302
        version = SchemeVersion.objects.get(scheme__code="KP-DEPT", number=2)
        own = drafter.get(f"{SCHEMES}KP-DEPT/")
        assert "待另一位监督人员发布" in text(own) and "发布第 2 版" not in text(own)
        assert "停用第 1 版" not in text(own)  # in use since 2000-01: it stays
        assert drafter.post(f"{SCHEMES}KP-DEPT/versions/1/retire/").status_code == 409
        refused = drafter.post(f"{SCHEMES}KP-DEPT/versions/2/publish/")
        assert refused.status_code == 403 and "另一位监督人员" in text(refused)
        assert "发布第 2 版" in text(second.get(f"{SCHEMES}KP-DEPT/"))
        assert second.post(f"{SCHEMES}KP-DEPT/versions/2/publish/").status_code == 302
        version.refresh_from_db()
        assert version.status == VersionStatus.PUBLISHED and version.ledger_entry_id
        again = second.post(f"{SCHEMES}KP-DEPT/versions/2/publish/")
        assert again.status_code == 409 and "生效" in text(again)
        assert drafter.post(f"{SCHEMES}KP-DEPT/versions/2/retire/").status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.RETIRED


@pytest.mark.parametrize(
    ("changes", "message", "next_to"),
    [
        (
            {"weight-good_rate": "２５"},
            "好评率权重：请填写 0 到 100 的整数（半角数字）",
            "version-weight-good_rate-error",
        ),
        ({"weight-good_rate": "NaN"}, "好评率权重：请填写 0 到 100 的整数", "version-weight-good_rate-error"),
        ({"weight-good_rate": "1e999999"}, "好评率权重：请填写 0 到 100 的整数", "version-weight-good_rate-error"),
        ({"weight-good_rate": "25"}, "权重合计须为 100（现为 95）", "weights-error"),
        (
            {"target-compression": "inf"},
            "承诺时限压缩比目标值：请填写 1 到 100 的整数",
            "version-target-compression-error",
        ),
        ({"valid_from": "2026-12"}, "起始月份：须晚于本月 2026-12", "version-valid_from-error"),
    ],
)
def test_a_refused_draft_comes_back_with_what_was_typed(
    login_as: Login, changes: dict[str, str], message: str, next_to: str
) -> None:
    eval_schemes.ensure_default_schemes()
    client = login_as("jn_supervisor")
    with clock.frozen(TODAY):
        refused = client.post(f"{SCHEMES}KP-DEPT/versions/", {**FORM, **changes})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert message in text(refused)
    for name, value in {**FORM, **changes}.items():
        assert f'name="{name}" value="{value}"' in html
    shown_at = html.index(f'id="{next_to}"')
    assert message in html[shown_at : shown_at + 400]  # next to its field, not only in the summary
    assert_sound_html(html)
    assert SchemeVersion.objects.count() == 2


def test_only_supervisors_reach_the_scheme_pages(login_as: Login) -> None:
    eval_schemes.ensure_default_schemes()
    with clock.frozen(TODAY):
        version = eval_schemes.scheme_version_draft(
            actor=None, scheme_code="KP-DEPT", indicators={"on_time_rate": {"weight": 100}}, valid_from="2027-01"
        )
    for who in ("jn_window", "jn_head"):
        client = login_as(who)
        assert client.get(SCHEMES).status_code == 403
        assert client.get(f"{SCHEMES}KP-DEPT/").status_code == 403
        assert client.post(f"{SCHEMES}KP-DEPT/versions/", FORM).status_code == 403
        assert client.post(f"{SCHEMES}KP-DEPT/versions/{version.number}/publish/").status_code == 403
        assert client.post(f"{SCHEMES}KP-DEPT/versions/1/retire/").status_code == 403
    assert SchemeVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT
    assert login_as("jn_supervisor").get(f"{SCHEMES}KP-NONE/").status_code == 404


def test_a_note_over_its_limit_comes_back_whole(login_as: Login) -> None:
    """The service allows 200 characters; the refused form gives back all 300 that were typed."""
    eval_schemes.ensure_default_schemes()
    typed = "说明" * 149 + "尾巴"
    with clock.frozen(TODAY):
        refused = login_as("jn_supervisor").post(f"{SCHEMES}KP-DEPT/versions/", {**FORM, "note": typed})
    assert refused.status_code == 422 and typed in refused.content.decode()
    assert SchemeVersion.objects.count() == 2
