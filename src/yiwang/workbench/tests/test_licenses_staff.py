"""电子证照 in the workbench: the department's list, the license page, and its approvers'
暂停 / 恢复 / 撤销 / 变更换发, with who may see and act (the licenses policy)."""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core import clock
from yiwang.core.identifiers import mask_resident_id
from yiwang.licenses.models import License, LicenseEvent
from yiwang.licenses.tests.helpers import FOOD, food_type, issue
from yiwang.licenses.workflow import LicenseStatus

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
TODAY = dt.datetime(2026, 6, 1, 10, 0)
BUTTONS = ("暂停证照", "恢复有效", "换发新版本", "撤销证照")


@pytest.fixture(autouse=True)
def _today(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(TODAY):
        yield


def page_url(license: License) -> str:
    return f"/workbench/licenses/{license.identifier}/"


def action_url(license: License, action: str) -> str:
    return f"/workbench/licenses/{license.identifier}/actions/{action}/"


def text(response: Any) -> str:
    """The page's visible text, tags dropped (what a person reads)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def status_of(license: License) -> str:
    return License.objects.get(pk=license.pk).status


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_departments_licenses_by_effective_status(login_as: Login) -> None:
    valid = issue("zhangsan")
    lapsed = issue("lisi", valid_from=dt.date(2020, 5, 1))  # valid through 2025-04-30, not yet recorded
    client = login_as("jn_window")
    page = text(client.get("/workbench/licenses/"))
    shown = License.objects.filter(issuer=valid.issuer).count()  # the demo world's too (泉城餐饮's 营业执照)
    assert valid.number in page and lapsed.number in page and f"共 {shown} 件" in page
    expired = text(client.get("/workbench/licenses/?status=expired"))
    assert lapsed.number in expired and valid.number not in expired
    current = text(client.get("/workbench/licenses/?status=valid"))
    assert valid.number in current and lapsed.number not in current
    assert "已过期" in expired and lapsed.status == LicenseStatus.VALID  # the job has not run


def test_search_by_holder_number_and_type(login_as: Login) -> None:
    zhang, li = issue("zhangsan"), issue("lisi")
    client = login_as("jn_approver")
    by_name = text(client.get("/workbench/licenses/", {"q": "张三"}))
    assert zhang.number in by_name and li.number not in by_name
    by_number = text(client.get("/workbench/licenses/", {"q": li.number}))
    assert li.number in by_number and zhang.number not in by_number
    by_identifier = text(client.get("/workbench/licenses/", {"q": zhang.identifier.lower()}))
    assert zhang.number in by_identifier and li.number not in by_identifier
    assert "共 2 件" in text(client.get("/workbench/licenses/", {"type": FOOD}))
    assert "没有符合条件的电子证照" in text(client.get("/workbench/licenses/", {"type": FOOD, "q": "不存在的人"}))


def test_bad_search_input_is_refused_naming_the_field(login_as: Login) -> None:
    issue()
    client = login_as("jn_approver")
    assert client.get("/workbench/licenses/", {"q": "张\x00三"}).status_code == 400  # the edge's (C0)
    response = client.get("/workbench/licenses/", {"q": "张\x9f三"})  # a C1 control passes the edge
    assert response.status_code == 422 and "查询内容：含有不可见的控制字符（U+009F）" in text(response)
    response = client.get("/workbench/licenses/", {"q": "张" * 121})
    assert response.status_code == 422 and "查询内容：最多 120 个字符" in text(response)


def test_another_department_and_other_posts_see_no_list(login_as: Login) -> None:
    license = issue()
    other = login_as("jn_planning_app")
    assert "电子证照" in text(other.get("/workbench/"))  # a case handler of another department
    assert license.number not in text(other.get("/workbench/licenses/"))
    catalog_admin = login_as("jn_catalog")
    assert catalog_admin.get("/workbench/licenses/").status_code == 403
    assert "/workbench/licenses/" not in catalog_admin.get("/workbench/").content.decode()
    holder = login_as("zhangsan")  # the holder sees the license in the portal, not here
    assert holder.get("/workbench/licenses/").status_code == 403
    assert holder.get(page_url(license)).status_code == 403
    assert "/workbench/licenses/" in login_as("jn_window").get("/workbench/").content.decode()


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_facts_a_masked_holder_the_case_and_the_history(login_as: Login) -> None:
    food_type()
    version = ImplementationVersionFactory(auto=True, license_type_code=FOOD)
    with flows.on(dt.date(2026, 3, 2)):
        case = flows.submit(version, data={"shop_name": "小小茶铺", "area": "60", "has_kitchen": False})
    license = License.objects.get(case=case)
    response = login_as("jn_approver").get(page_url(license))
    page = text(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "小小茶铺" in page and "2026-03-02 至 2031-03-01" in page and "有效" in page
    id_number = User.objects.get(username="zhangsan").person.id_number  # type: ignore[attr-defined]
    assert id_number not in response.content.decode() and mask_resident_id(id_number) in page
    assert f'href="/workbench/cases/{case.number}/"' in response.content.decode()
    assert "签发电子证照" in page and "系统" in page
    assert f'href="/ledger/entries/{license.status_entry_id}/"' in response.content.decode()


def test_the_approver_sees_the_forms_others_see_none(login_as: Login) -> None:
    license = issue()
    approver = text(login_as("jn_approver").get(page_url(license)))
    assert all(button in approver for button in ("暂停证照", "换发新版本", "撤销证照"))
    assert "恢复有效" not in approver  # a valid license cannot be resumed
    assert all(button in text(login_as("jn_head").get(page_url(license))) for button in ("暂停证照", "撤销证照"))
    for clerk in ("jn_window", "jn_reviewer"):
        page = text(login_as(clerk).get(page_url(license)))
        assert license.number in page and not any(button in page for button in BUTTONS)


@pytest.mark.parametrize(
    ("who", "status"),
    [("jn_window", 403), ("jn_reviewer", 403), ("jn_planning_app", 404), ("jn_health_app", 404), ("zhangsan", 403)],
)
@pytest.mark.parametrize("action", ["suspend", "revoke", "reissue"])
def test_nobody_else_can_act(login_as: Login, who: str, status: int, action: str) -> None:
    license = issue()
    client = login_as(who)
    if status == 404:
        assert client.get(page_url(license)).status_code == 404
    data = {"reason": "测试", "legal_basis": "依据", "confirm": "1", "fact-area": "999"}
    assert client.post(action_url(license, action), data).status_code == status
    assert status_of(license) == LicenseStatus.VALID
    assert LicenseEvent.objects.filter(license=license).count() == 1 and not License.objects.filter(supersedes=license)


def test_a_post_needs_the_csrf_token(world: None) -> None:
    license = issue()
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="jn_approver"))
    assert client.post(action_url(license, "suspend"), {"reason": "整改"}).status_code == 403
    assert status_of(license) == LicenseStatus.VALID


# --- the actions ----------------------------------------------------------------------------


def test_suspend_then_resume(login_as: Login) -> None:
    license = issue()
    client = login_as("jn_approver")
    refused = client.post(action_url(license, "suspend"), {"reason": " "})
    assert refused.status_code == 422 and "理由：必填" in text(refused)
    response = client.post(action_url(license, "suspend"), {"reason": "责令停业整顿"}, follow=True)
    page = text(response)
    assert "电子证照已暂停" in page and "已暂停" in page and "责令停业整顿" in page and "孙立" in page
    assert "恢复有效" in page and "暂停证照" not in page
    public = Client().get(f"/api/v1/licenses/status/{license.identifier}").json()
    assert public["status"] == "suspended"
    page = text(client.post(action_url(license, "resume"), {"reason": "整改完成"}, follow=True))
    assert "电子证照已恢复有效" in page and status_of(license) == LicenseStatus.VALID


def test_revocation_needs_a_reason_a_legal_basis_and_a_confirmation(login_as: Login) -> None:
    license = issue()
    client = login_as("jn_approver")
    refused = client.post(action_url(license, "revoke"), {"reason": "违法经营", "legal_basis": ""})
    assert refused.status_code == 422 and "法律依据：必填" in text(refused)
    assert 'value="违法经营"' not in refused.content.decode()  # kept in the textarea instead
    assert ">违法经营</textarea>" in refused.content.decode()
    data = {"reason": "以欺骗手段取得许可", "legal_basis": "《中华人民共和国行政许可法》第六十九条第二款"}
    confirm = client.post(action_url(license, "revoke"), data)
    assert confirm.status_code == 200 and "撤销后不可恢复" in text(confirm) and "确认撤销" in text(confirm)
    assert status_of(license) == LicenseStatus.VALID  # nothing happened yet
    done = client.post(action_url(license, "revoke"), {**data, "confirm": "1"}, follow=True)
    page = text(done)
    assert "电子证照已撤销" in page and "已撤销" in page and "行政许可法》第六十九条第二款" in page
    assert not any(button in page for button in BUTTONS)  # final
    assert Client().get(f"/api/v1/licenses/status/{license.identifier}").json()["status"] == "revoked"
    again = client.post(action_url(license, "suspend"), {"reason": "再次"})
    assert again.status_code == 409 and "当前状态为“已撤销”，不能暂停" in text(again)


def test_reissue_shows_the_new_version_and_the_chain(login_as: Login) -> None:
    license = issue()
    client = login_as("jn_approver")
    form = client.get(page_url(license)).content.decode()
    assert 'name="fact-shop_name" value="泉城小馆"' in form and 'name="fact-area" value="80"' in form
    assert 'name="fact-case_number"' not in form  # the case's own fact is shown, not editable
    data = {"fact-shop_name": "泉城小馆", "fact-area": "120", "reason": "经营面积扩大"}
    response = client.post(action_url(license, "reissue"), data, follow=True)
    new = License.objects.get(supersedes=license)
    assert response.redirect_chain[-1][0] == page_url(new)
    page = text(response)
    assert "已换发第 2 版电子证照" in page and "120" in page and "第 1 版" in page
    assert new.facts["area"] == "120" and new.version == 2 and status_of(license) == LicenseStatus.SUPERSEDED
    old = text(client.get(page_url(license)))
    assert "本版本已被替代" in old and "已替代" in old and "经营面积扩大" in old
    assert not any(button in old for button in BUTTONS)


def test_reissue_errors_name_the_field_and_keep_what_was_typed(login_as: Login) -> None:
    license = issue()
    client = login_as("jn_approver")
    data = {"fact-shop_name": "泉城\x07小馆", "fact-area": "120", "reason": "更名"}
    response = client.post(action_url(license, "reissue"), data)
    body = response.content.decode()
    assert response.status_code == 422 and "经营者名称：含有不可见的控制字符（U+0007）" in text(response)
    assert 'name="fact-area" value="120"' in body and 'aria-invalid="true"' in body
    unchanged = client.post(action_url(license, "reissue"), {"fact-shop_name": "泉城小馆", "reason": "无"})
    assert unchanged.status_code == 422 and "没有变更任何字段" in text(unchanged)
    assert not License.objects.filter(supersedes=license) and status_of(license) == LicenseStatus.VALID


def test_an_unknown_or_malformed_identifier_is_not_found(login_as: Login) -> None:
    license = issue()
    client = login_as("jn_approver")
    wrong = license.identifier[:-1] + ("0" if license.identifier[-1] != "0" else "1")
    assert client.get(f"/workbench/licenses/{wrong}/").status_code == 404
    assert client.get("/workbench/licenses/1.2.156%00/").status_code in (400, 404)
    assert client.post(action_url(license, "delete"), {"reason": "x"}).status_code == 404


def test_the_staff_history_shows_status_changes_not_how_the_holder_shares(world: None) -> None:
    from yiwang.licenses import selectors
    from yiwang.licenses.sharing import authorisation_grant

    license = issue()
    authorisation_grant(
        actor=User.objects.get(username="zhangsan"),
        license_id=license.pk,
        recipient="中国银行济南分行",
        purpose="开立对公账户",
        valid_until=clock.now() + dt.timedelta(days=3),
    )
    view = selectors.license_staff_view(User.objects.get(username="jn_approver"), license.identifier)
    assert [event.verb for event in view.events] == ["issued"]
