"""我的证照 (证照夹): what a holder sees of their e-licenses, the PDF, 注销, and the decision
notice that links the license; and that nobody else sees any of it."""

import datetime as dt
import io
import re
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from django.test import Client
from pypdf import PdfReader

from yiwang.accounts.models import EnterpriseAgent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.ledger.models import Entry
from yiwang.licenses import services
from yiwang.licenses.models import License, LicenseEvent
from yiwang.licenses.tests.helpers import FOOD, food_type, issue
from yiwang.licenses.workflow import LicenseStatus
from yiwang.notifications.models import Message
from yiwang.notifications.services import messages_deliver_pending

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def _url(license: License, tail: str = "") -> str:
    return f"/me/licenses/{license.identifier}/{tail}"


def _pdf_text(pdf: bytes) -> str:
    """The page's text without whitespace and NULs (see licenses/tests/test_render.py)."""
    return re.sub(r"[\s\x00]+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def _enterprise_license() -> License:
    agency = EnterpriseAgent.objects.get(person__user__username="lisi")
    return issue("lisi", enterprise=agency.enterprise)


def test_the_wallet_lists_own_and_agency_licenses_only(login_as: Login) -> None:
    mine = issue("zhangsan")
    theirs = issue("lisi")
    company = _enterprise_license()
    page = login_as("zhangsan").get("/me/licenses/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.number in html and theirs.number not in html and company.number not in html
    assert "食品经营许可证" in html and "张三" in html and "2026年03月02日 至 2031年03月01日" in html
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    lisi = login_as("lisi").get("/me/licenses/").content.decode()
    assert theirs.number in lisi and company.number in lisi and "济南泉城餐饮管理有限公司" in lisi
    assert mine.number not in lisi


def test_a_license_not_yours_is_a_404_everywhere(login_as: Login) -> None:
    """Another person, and a person who is no agent of the holding enterprise, get nothing."""
    personal = issue("lisi")
    company = _enterprise_license()
    zhangsan = login_as("zhangsan")
    for license in (personal, company):
        for tail in ("", "pdf", "cancel/"):
            response = zhangsan.get(_url(license, tail))
            assert response.status_code == 404, (license, tail)
            assert license.number not in response.content.decode()
    assert zhangsan.post(_url(company, "cancel/"), {"reason": "恶意", "confirm": "yes"}).status_code == 404
    assert License.objects.get(pk=company.pk).status == LicenseStatus.VALID
    # The legal representative holds the company's license; an ended agency holds nothing.
    assert login_as("wangwu").get(_url(company)).status_code == 200
    ended = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    EnterpriseAgent.objects.filter(person__user__username="lisi").update(revoked_at=ended)
    assert login_as("lisi").get(_url(company)).status_code == 404
    assert Client().get(_url(personal)).status_code == 302  # to the login page


def test_the_filter_shows_only_licenses_in_force(login_as: Login) -> None:
    kept = issue("zhangsan")
    revoked = issue("zhangsan")
    services.license_revoke(
        actor=user("jn_approver"),
        license_id=revoked.pk,
        reason="以欺骗手段取得",
        legal_basis="《行政许可法》第六十九条",
    )
    client = login_as("zhangsan")
    everything = client.get("/me/licenses/").content.decode()
    assert kept.number in everything and revoked.number in everything and "已撤销" in everything
    valid = client.get("/me/licenses/?show=valid").content.decode()
    assert kept.number in valid and revoked.number not in valid


def test_the_detail_shows_facts_qr_status_events_and_actions(login_as: Login) -> None:
    license = issue("zhangsan", years=0)
    page = login_as("zhangsan").get(_url(license))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert license.number in html and license.identifier in html and "张三" in html
    assert "2026年03月02日 至 长期" in html and "泉城小馆" in html and "经营面积" in html
    assert "<svg" in html and "全屏显示" in html and "license-qr.js" in html
    assert person_id_masked(html)
    assert f'href="/ledger/entries/{license.status_entry_id}/"' in html and "签发电子证照" in html
    assert f'href="{_url(license, "pdf")}"' in html and f'href="{_url(license, "cancel/")}"' in html
    assert f'href="{_url(license, "share/")}"' in html  # 用证授权, wired by the integrator


def person_id_masked(html: str) -> bool:
    """The page shows zhangsan's ID number masked, never whole."""
    id_number = user("zhangsan").person.id_number
    return id_number not in html and f"{id_number[:3]}" in html and id_number[-4:] in html


def test_a_reissue_shows_the_version_history_and_the_old_one_as_superseded(login_as: Login) -> None:
    old = issue("zhangsan")
    new = services.license_reissue(
        actor=user("jn_approver"), license_id=old.pk, facts={"area": "120"}, reason="面积变更"
    )
    client = login_as("zhangsan")
    html = client.get(_url(new)).content.decode()
    assert "版本记录" in html and "第 2 版（本页）" in html and f'href="{_url(old)}"' in html and "120" in html
    previous = client.get(_url(old)).content.decode()
    assert "已替代" in previous and "面积变更" in previous and f'href="{_url(new)}"' in previous
    assert "已替代" in _pdf_text(client.get(_url(old, "pdf")).content)


def test_the_pdf_is_the_license_with_the_holder_and_number(login_as: Login) -> None:
    license = issue("zhangsan")
    response = login_as("zhangsan").get(_url(license, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"食品经营许可证-{license.number}.pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    assert "张三" in text and license.number in text and "已注销" not in text


def test_cancel_asks_for_a_reason_then_cancels_with_a_ledger_entry(login_as: Login) -> None:
    license = issue("zhangsan")
    client = login_as("zhangsan")
    form = client.get(_url(license, "cancel/"))
    assert form.status_code == 200 and "注销理由" in form.content.decode() and "不能恢复" in form.content.decode()
    empty = client.post(_url(license, "cancel/"), {"reason": "  ", "confirm": "yes"})
    assert empty.status_code == 422 and "注销理由：必填" in empty.content.decode()
    nul = client.post(_url(license, "cancel/"), {"reason": "不再\x00经营", "confirm": "yes"})
    assert nul.status_code == 422 and "注销理由" in nul.content.decode() and "控制字符" in nul.content.decode()
    long = client.post(_url(license, "cancel/"), {"reason": "歇" * 501, "confirm": "yes"})
    assert long.status_code == 422 and "最多 500 个字符" in long.content.decode()
    unconfirmed = client.post(_url(license, "cancel/"), {"reason": "不再经营"})
    assert unconfirmed.status_code == 422 and "不可恢复" in unconfirmed.content.decode()
    assert "不再经营" in unconfirmed.content.decode()  # what was typed is kept
    both = client.post(_url(license, "cancel/"), {"reason": ""}).content.decode()
    assert "注销理由：必填" in both and "请勾选“我已知晓注销后证照不可恢复”" in both
    assert License.objects.get(pk=license.pk).status == LicenseStatus.VALID

    done = client.post(_url(license, "cancel/"), {"reason": "不再经营", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == _url(license)
    license.refresh_from_db()
    assert license.status == LicenseStatus.CANCELLED and license.status_reason == "不再经营"
    event = LicenseEvent.objects.get(license=license, verb="cancelled")
    assert event.actor == user("zhangsan") and event.ledger_entry_id == license.status_entry_id
    assert Entry.objects.get(pk=event.ledger_entry_id).kind == "licenses.cancelled"
    detail = client.get(_url(license)).content.decode()
    assert "已注销" in detail and "不再经营" in detail and "注销电子证照" in detail
    assert f'href="/ledger/entries/{event.ledger_entry_id}/"' in detail
    assert f'href="{_url(license, "cancel/")}"' not in detail and "授权他人使用" not in detail
    assert "已注销" in _pdf_text(client.get(_url(license, "pdf")).content)
    again = client.post(_url(license, "cancel/"), {"reason": "再注销", "confirm": "yes"})
    assert again.status_code == 409 and "不能注销" in again.content.decode()


def test_the_decision_notice_and_the_case_page_link_the_license(login_as: Login) -> None:
    food_type()
    version = ImplementationVersionFactory(auto=True, license_type_code=FOOD)
    with flows.on(dt.date(2026, 3, 2)):
        case = flows.submit(version, data={"shop_name": "小小茶铺", "area": "60", "has_kitchen": False})
    messages_deliver_pending()  # the outbox delivers after the decision's commit
    license = License.objects.get(case=case)
    notice = Message.objects.get(recipient=user("zhangsan"), subject__endswith="已作出审批决定", channel="in_app")
    assert notice.reference == f"license:{license.identifier}"
    assert "食品经营许可证" in notice.body and license.number in notice.body
    client = login_as("zhangsan")
    inbox = client.get("/me/messages/").content.decode()
    assert "查看电子证照" in inbox
    opened = client.post(f"/me/messages/{notice.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == _url(license)
    case_page = client.get(f"/me/cases/{case.number}/").content.decode()
    assert f'href="{_url(license)}"' in case_page and license.number in case_page
    wallet = client.get("/me/licenses/").content.decode()
    assert f'href="/me/cases/{case.number}/"' in wallet  # the case it came from
    # Someone else's inbox never links it: lisi cannot open zhangsan's notice at all.
    assert login_as("lisi").post(f"/me/messages/{notice.pk}/open/").status_code == 404


def test_my_space_and_the_header_lead_to_the_wallet(login_as: Login) -> None:
    license = issue("zhangsan")
    html = login_as("zhangsan").get("/me/").content.decode()
    assert 'href="/me/licenses/"' in html and "我的证照" in html and license.number in html
    staff = login_as("jn_approver").get("/me/licenses/")
    assert staff.status_code == 403
