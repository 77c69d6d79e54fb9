"""异地代收代办 through the pages: the applicant chooses 收件地 泰安 when applying to a 济南 item;
the 泰安 window finds it in its inbox and hands it over; the 济南 window sees it arriving and
confirms receipt; both read the hand-over record; the applicant follows it in 我的办件."""

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.cases.models import Case
from yiwang.cases.tests import crossflows
from yiwang.cases.tests.factories import PDF, dept
from yiwang.cases.workflow import CaseStatus
from yiwang.core import clock

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _pages(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with clock.frozen(DAY):
        yield


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _act(client: Client, case: Case, action: str, data: dict[str, str] | None = None) -> Any:
    client.get(f"/workbench/cases/{case.number}/", {"reason": "窗口受理"})
    return client.post(f"/workbench/cases/{case.number}/actions/{action}/", data or {})


def test_the_applicant_chooses_a_window_of_another_region(login_as: Any) -> None:
    version = crossflows.proxy_version()
    client = login_as("zhangsan")
    page = client.get(f"/apply/{version.pk}/").content.decode()
    taian = dept("ta_approval")
    assert "收件地（异地代收代办，选填）" in page
    assert f'<option value="{taian.pk}">泰安市行政审批服务局</option>' in page
    pdf = {f"m-{key}": SimpleUploadedFile(f"{key}.pdf", PDF, "application/pdf") for key in ("application", "layout")}
    form = {"applicant_as": "self", "f-shop_name": "泉城小馆", "f-area": "80", "delivery_method": "pickup"}
    response = client.post(
        f"/apply/{version.pk}/",
        {**form, **pdf, "intake_department": str(taian.pk), "idempotency_key": _key(page), "action": "submit"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.exclude(number=None).get()
    assert case.status == CaseStatus.INTAKE_PENDING and case.intake_department == taian
    receipt = client.get(response["Location"]).content.decode()
    assert "收件窗口（泰安市行政审批服务局）将于 2026-03-03 前核对材料并移交济南市行政审批服务局" in receipt


def test_a_window_not_offered_is_refused_by_the_page(login_as: Any) -> None:
    version = crossflows.proxy_version()
    client = login_as("zhangsan")
    page = client.get(f"/apply/{version.pk}/").content.decode()
    response = client.post(
        f"/apply/{version.pk}/",
        {"applicant_as": "self", "intake_department": "999999", "idempotency_key": _key(page), "action": "submit"},
    )
    assert response.status_code == 422 and "收件地：请从列表中选择" in response.content.decode()


def test_both_windows_hand_over_through_the_workbench(login_as: Any) -> None:
    case = crossflows.at_intake()
    ta, jn = login_as("ta_window"), login_as("jn_window")
    home = ta.get("/workbench/").content.decode()
    assert case.number in home and "异地收件：核对后移交济南市行政审批服务局" in home
    # the row: masked applicant, due on the hand-over day with the working days left
    row = re.search(rf"{case.number}</a>.*?</tr>", home, re.S)
    assert row is not None and "张*" in row[0] and re.search(r"剩余 \d+ 个工作日", row[0])
    page = ta.get(f"/workbench/cases/{case.number}/", {"reason": "窗口受理"}, follow=True).content.decode()
    assert "确认移交" in page and "一次性告知补正" in page and ">受理</button>" not in page
    assert "异地收件移交记录" in page and "今日应移交" not in page  # due tomorrow
    assert _act(ta, case, "hand_over", {"mail_reference": "SF1234567890"}).status_code == 302
    assert "待接收：泰安市行政审批服务局移交的申请" in jn.get("/workbench/").content.decode()
    assert _act(jn, case, "receive_handover").status_code == 302
    page = jn.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "孔收" in page and "赵敏" in page and "SF1234567890" in page and "SHA-256" in page
    assert ">受理</button>" in page  # now an ordinary submission at the 济南 window
    followed = ta.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "已提交，待受理" in followed and "办理操作" not in followed  # it follows, it does not act
    mine = login_as("zhangsan").get(f"/me/cases/{case.number}/").content.decode()
    assert "异地收件进度" in mine and "已移交济南市行政审批服务局（原件寄递单号 SF1234567890）" in mine
