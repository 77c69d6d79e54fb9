"""数据共享 pages for data stewards: publish, file, answer with fewer fields, see the grant on
both sides; who does not steward gets no entry; what is typed is checked by field."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from yiwang.core import clock
from yiwang.exchange.models import DataResource, Demand, Grant

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
FIELDS_TEXT = """name|企业名称|string|public
credit_code|统一社会信用代码|字符串|公开
legal_rep|法定代表人|string|个人信息
legal_rep_id|法定代表人身份证号|string|sensitive
"""


@pytest.fixture(autouse=True)
def _pages(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(DAY):
        yield


def publish(client: Client, **changes: str) -> Any:
    data = {
        "code": "scjg.enterprise_register",
        "name": "市场主体登记信息",
        "description": "企业登记的基本信息",
        "fields": FIELDS_TEXT,
        "sharing_class": "conditional",
        "not_shared_basis": "",
        "update_frequency": "realtime",
        "system": "http:scjg-register",
    } | changes
    return client.post("/workbench/exchange/resources/new/", data)


def file_demand(client: Client, **changes: Any) -> Any:
    data = {
        "fields": ["name", "credit_code", "legal_rep", "legal_rep_id"],
        "purpose": "食品经营许可申请时核验营业执照信息",
        "legal_basis": "《优化营商环境条例》第三十五条",
        "items": "000136019000",
        "valid_until": "",
    } | changes
    return client.post("/workbench/exchange/resources/scjg.enterprise_register/demand/", data)


def text(response: Any) -> str:
    return str(response.content.decode())


def test_publish_file_approve_with_fewer_fields_and_the_grant_shows_on_both_sides(login_as: Any) -> None:
    market, approval = login_as("jn_market_data"), login_as("jn_approval_data")
    # the provider's steward publishes; the catalogue lists it with its sensitive field marked
    published = publish(market)
    assert published.status_code == 302 and published["Location"].endswith("/scjg.enterprise_register/")
    catalogue = text(market.get("/workbench/exchange/resources/"))
    assert "市场主体登记信息" in catalogue and '法定代表人身份证号<span class="small">（敏感）</span>' in catalogue
    assert "变更" in catalogue and "停用" in catalogue
    # the consumer's steward sees no 变更 and files a demand from the resource's page
    page = text(approval.get("/workbench/exchange/resources/scjg.enterprise_register/"))
    assert "提出共享需求" in page and "停用理由" not in page
    filed = file_demand(approval)
    assert filed.status_code == 302
    demand = Demand.objects.get()
    assert demand.status == "filed" and demand.consumer.name == "济南市行政审批服务局"
    assert demand.number in text(approval.get("/workbench/exchange/demands/?tab=filed"))
    # the provider finds it in 待我答复 with its due date
    inbox = text(market.get("/workbench/exchange/demands/"))
    assert demand.number in inbox and f"{demand.due_on:%Y-%m-%d}" in inbox
    url = f"/workbench/exchange/demands/{demand.number}/approve/"
    fewer = {"fields": ["name", "credit_code", "legal_rep"], "valid_until": "", "answer": ""}
    # fewer fields without a reason: the message is next to the answer field, nothing granted
    refused = market.post(url, fewer)
    assert refused.status_code == 422
    html = text(refused)
    assert 'id="approve-answer-error"' in html and "答复意见（未授权的信息项须说明理由）：必填" in html
    assert 'value="legal_rep_id">' in html  # the unticked field stays unticked
    assert not Grant.objects.exists()
    done = market.post(url, fewer | {"answer": "身份证号属敏感个人信息，核验无需该项"})
    assert done.status_code == 302
    grant = Grant.objects.get()
    assert grant.fields == ["name", "credit_code", "legal_rep"] and grant.status == "active"
    detail = text(approval.get(f"/workbench/exchange/demands/{demand.number}/"))
    assert "已同意" in detail and "身份证号属敏感个人信息" in detail and "/ledger/entries/" in detail
    for client, side in ((market, "提供方"), (approval, "使用方")):
        grants = text(client.get("/workbench/exchange/grants/"))
        assert "市场主体登记信息 → 济南市行政审批服务局" in grants and side in grants
        assert "企业名称、统一社会信用代码、法定代表人" in grants and "法定代表人身份证号" not in grants
    assert "撤销" in text(market.get("/workbench/exchange/grants/"))
    assert "撤销" not in text(approval.get("/workbench/exchange/grants/"))
    # the provider suspends it with a reason
    suspended = market.post(f"/workbench/exchange/grants/{grant.pk}/suspend/", {"reason": "系统维护"})
    assert suspended.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "suspended"


def test_who_is_not_a_data_steward_has_no_entry_and_no_page(login_as: Any) -> None:
    clerk = login_as("jn_window")
    assert "数据共享" not in text(clerk.get("/workbench/"))
    for url in ("/workbench/exchange/resources/", "/workbench/exchange/demands/", "/workbench/exchange/grants/"):
        assert clerk.get(url).status_code == 403
    citizen = login_as("zhangsan")
    assert citizen.get("/workbench/exchange/resources/").status_code == 403
    steward = login_as("jn_approval_data")
    assert "数据共享" in text(steward.get("/workbench/"))
    # the consumer's steward cannot approve: the demand page has no answer form, a post is refused
    publish(login_as("jn_market_data"))
    file_demand(steward)
    demand = Demand.objects.get()
    assert "同意共享" not in text(steward.get(f"/workbench/exchange/demands/{demand.number}/"))
    refused = steward.post(f"/workbench/exchange/demands/{demand.number}/approve/", {"fields": ["name"]})
    assert refused.status_code == 403 and Demand.objects.get().status == "filed"
    # a steward of a third department sees neither the demand nor the grant
    assert login_as("jn_data_steward").get(f"/workbench/exchange/demands/{demand.number}/").status_code == 404


def test_a_control_character_in_the_purpose_is_refused_naming_the_field(login_as: Any) -> None:
    publish(login_as("jn_market_data"))
    approval = login_as("jn_approval_data")
    response = file_demand(approval, purpose="核验\x00营业执照", legal_basis="《优化营商环境条例》")
    assert response.status_code == 422
    html = text(response)
    assert "用途：含有不可见的控制字符（U+0000）" in html and 'id="f-purpose-error"' in html
    assert "《优化营商环境条例》" in html  # what was typed is kept
    assert not Demand.objects.exists()


def test_a_malformed_field_line_is_refused_naming_the_line(login_as: Any) -> None:
    market = login_as("jn_market_data")
    response = publish(market, fields="name|企业名称|string|public\ncredit_code|统一社会信用代码|text\n")
    assert response.status_code == 422
    assert "信息项第 2 行：应为“标识|名称|类型|敏感级别”四段" in text(response)
    response = publish(market, fields="name|企业名称|string|public\nname|名称|string|secret\n")
    assert "信息项第 2 行：敏感级别应为" in text(response)
    assert not DataResource.objects.exists()


def test_amend_needs_a_reason_and_retire_a_confirmation(login_as: Any) -> None:
    market = login_as("jn_market_data")
    publish(market)
    url = "/workbench/exchange/resources/scjg.enterprise_register/"
    form = text(market.get(url + "amend/"))
    assert "legal_rep_id|法定代表人身份证号|string|sensitive" in form
    data = {
        "name": "市场主体登记信息（含个体）",
        "description": "",
        "fields": FIELDS_TEXT,
        "sharing_class": "conditional",
        "not_shared_basis": "",
        "update_frequency": "daily",
        "system": "http:scjg-register",
        "reason": "",
    }
    refused = market.post(url + "amend/", data)
    assert refused.status_code == 422 and "变更理由：必填" in text(refused)
    assert market.post(url + "amend/", data | {"reason": "纳入个体工商户"}).status_code == 302
    assert DataResource.objects.get().name == "市场主体登记信息（含个体）"
    unconfirmed = market.post(url + "retire/", {"reason": "系统下线"})
    assert unconfirmed.status_code == 422 and "确认停用：请勾选确认" in text(unconfirmed)
    assert market.post(url + "retire/", {"reason": "系统下线", "confirm": "yes"}).status_code == 302
    assert DataResource.objects.get().status == "retired"
    assert "没有符合条件的数据资源" in text(market.get("/workbench/exchange/resources/"))


def test_demands_to_answer_show_临期_then_逾期_on_the_working_day_calendar(login_as: Any) -> None:
    market = login_as("jn_market_data")
    publish(market)
    file_demand(login_as("jn_approval_data"))
    demand = Demand.objects.get()
    assert demand.due_on == dt.date(2026, 3, 16)  # 10 working days after Monday 2 March
    fresh = text(market.get("/workbench/exchange/demands/"))
    assert "剩余 10 个工作日" in fresh and "临期" not in fresh and "逾期" not in fresh
    with clock.frozen(dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)):  # Thursday: 2 working days left
        near = text(market.get("/workbench/exchange/demands/"))
    assert "剩余 2 个工作日" in near and '<span class="badge badge--warning">临期</span>' in near
    with clock.frozen(dt.datetime(2026, 3, 17, 9, 0, tzinfo=dt.UTC)):
        late = text(market.get("/workbench/exchange/demands/"))
        page = text(market.get(f"/workbench/exchange/demands/{demand.number}/"))
    assert "已超 1 个工作日" in late and '<span class="badge badge--overdue">逾期</span>' in late
    assert '<span class="badge badge--overdue">逾期</span>' in page and "同意共享" in page
