"""The holder's API: one license of the wallet and its PDF; a license not the caller's is a
problem+json 404, whoever holds it."""

import io
import re
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from django.test import Client
from pypdf import PdfReader

from yiwang.accounts.models import EnterpriseAgent
from yiwang.cases.tests.factories import user
from yiwang.licenses import services
from yiwang.licenses.tests.helpers import issue

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def _pdf_text(pdf: bytes) -> str:
    return re.sub(r"[\s\x00]+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_the_holder_reads_one_license_with_its_qr_text(login_as: Login) -> None:
    license = issue("zhangsan")
    response = login_as("zhangsan").get(f"/api/v1/licenses/mine/{license.identifier}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["identifier"] == license.identifier and body["number"] == license.number
    assert body["holder_name"] == "张三" and body["status"] == "valid" and body["status_label"] == "有效"
    assert body["note"] == license.note and body["facts"]["shop_name"] == "泉城小馆"


def test_someone_elses_license_is_a_problem_404(login_as: Login) -> None:
    personal = issue("lisi")
    company = issue("lisi", enterprise=EnterpriseAgent.objects.get(person__user__username="lisi").enterprise)
    zhangsan = login_as("zhangsan")
    for license in (personal, company):
        for tail in ("", "/pdf"):
            response = zhangsan.get(f"/api/v1/licenses/mine/{license.identifier}{tail}")
            assert response.status_code == 404, tail
            assert response["Content-Type"].startswith("application/problem+json")
            assert "持证人" in response.json()["detail"] and license.number not in response.content.decode()
    assert login_as("wangwu").get(f"/api/v1/licenses/mine/{company.identifier}").status_code == 200
    malformed = zhangsan.get("/api/v1/licenses/mine/1.2.156.3005.2.nonsense")
    assert malformed.status_code == 404 and malformed["Content-Type"].startswith("application/problem+json")
    assert Client().get(f"/api/v1/licenses/mine/{personal.identifier}").status_code == 401


def test_the_pdf_download_carries_the_holder_the_number_and_its_status(login_as: Login) -> None:
    license = issue("zhangsan")
    client = login_as("zhangsan")
    url = f"/api/v1/licenses/mine/{license.identifier}/pdf"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == f"食品经营许可证-{license.number}.pdf"
    text = _pdf_text(response.content)
    assert "张三" in text and license.number in text and "已暂停" not in text
    services.license_suspend(actor=user("jn_approver"), license_id=license.pk, reason="停业整顿")
    assert "已暂停" in _pdf_text(client.get(url).content)
