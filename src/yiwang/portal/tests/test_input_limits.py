"""Input that cannot hurt the platform, through the applicant's pages and the API: bounded
numbers, control characters refused by field with everything else kept, draft limits, and
no session written for an anonymous visitor."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.portal.tests.test_apply import (  # noqa: F401 - _pages is an autouse fixture
    FOOD_FORM,
    _pages,
    apply_url,
    food_post,
    key_of,
    pdf,
    submitted_food_case,
    version_of,
)

pytestmark = pytest.mark.django_db

BIRTH_FORM = {
    "applicant_as": "self",
    "f-mother_id": "11010519491231002X",
    "f-father_id": "11010519491231002X",
    "delivery_method": "electronic",
}


def birth_post(client: Client, **overrides: Any) -> Any:
    url = apply_url("生育登记")
    key = key_of(client.get(url).content.decode())
    return client.post(url, {**BIRTH_FORM, "idempotency_key": key, "action": "submit", **overrides})


@pytest.mark.parametrize("typed", ["1e999999", "1e5000", "NaN", "sNaN", "Infinity"])
def test_a_number_out_of_bounds_is_refused_on_the_page_and_the_rest_kept(login_as: Any, typed: str) -> None:
    response = birth_post(login_as("zhangsan"), **{"f-child_order": typed})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="f-child_order-error"' in html
    assert "本次生育为第几孩：须为" in html.split('id="f-child_order-error"')[1][:300]
    assert f'value="{typed}"' in html and 'value="11010519491231002X"' in html  # kept as typed
    assert Case.objects.exclude(number=None).count() == 0


def test_a_decimal_infinity_is_never_stored(login_as: Any) -> None:
    client = login_as("zhangsan")
    url = apply_url("公司设立登记")
    key = key_of(client.get(url).content.decode())
    form = {
        "applicant_as": "self",
        "idempotency_key": key,
        "action": "submit",
        "f-company_name": "泉城科技有限公司",
        "f-registered_capital": "Infinity",
        "f-address": "济南市历下区泉城路1号",
        "f-legal_rep_id": "11010519491231002X",
        "f-business_scope": "软件开发",
    }
    response = client.post(url, form)
    assert response.status_code == 422
    assert "注册资本（万元）：须为有限的数字，不接受 NaN、Infinity 等非数值" in response.content.decode()
    assert Case.objects.exclude(number=None).count() == 0


def test_a_control_character_is_refused_by_field_and_everything_typed_comes_back(login_as: Any) -> None:
    client = login_as("zhangsan")
    response = food_post(client, files=False, action="save", **{"f-business_name": "泉城\x00小馆"})
    html = response.content.decode()
    assert response.status_code == 422
    error = html.split('id="f-business_name-error"')[1][:300]
    assert "经营者名称：含有不可见的控制字符（U+0000），请删除后重新输入" in error
    assert 'value="济南市历下区泉城路188号"' in html and 'value="11010519491231002X"' in html
    assert 'value="hot_food" checked' in html
    assert not Case.objects.exists()  # nothing half-saved
    # the mailing address is checked the same way
    response = food_post(client, files=False, action="save", delivery_method="mail", delivery_address="泉城路\x01188号")
    assert response.status_code == 422 and "邮寄地址：含有不可见的控制字符（U+0001）" in response.content.decode()


def test_a_saved_draft_keeps_its_values_when_a_later_save_is_refused(login_as: Any) -> None:
    client = login_as("zhangsan")
    assert food_post(client, files=False, action="save").status_code == 302
    draft = Case.objects.get()
    url = f"/apply/drafts/{draft.ref}/"
    key = key_of(client.get(url).content.decode())
    refused = client.post(url, {**FOOD_FORM, "idempotency_key": key, "action": "save", "f-address": "历下区\x0b泉城路"})
    assert refused.status_code == 422 and "经营场所：含有不可见的控制字符（U+000B）" in refused.content.decode()
    assert 'value="泉城小馆"' in refused.content.decode()
    draft.refresh_from_db()
    assert draft.form_data["address"] == "济南市历下区泉城路188号"


def test_open_drafts_per_applicant_are_limited(login_as: Any, settings: Any) -> None:
    settings.CASE_DRAFT_MAX_OPEN = 2
    client = login_as("zhangsan")
    assert food_post(client, files=False, action="save").status_code == 302
    assert food_post(client, files=False, action="save").status_code == 302
    third = food_post(client, files=False, action="save")
    html = third.content.decode()
    assert third.status_code == 409
    assert "草稿数量：每人最多保留 2 份未提交的草稿" in html and 'value="泉城小馆"' in html
    assert Case.objects.filter(status="draft").count() == 2
    # submitting or discarding one frees a place
    services.case_withdraw(actor=Case.objects.first().applicant, case=Case.objects.first(), reason="放弃")  # type: ignore[union-attr]
    assert food_post(client, files=False, action="save").status_code == 302


def test_the_draft_api_refuses_oversized_and_non_finite_values(login_as: Any, settings: Any) -> None:
    client = login_as("zhangsan")
    version = version_of("食品经营许可").pk

    def create(form_data: dict[str, Any]) -> Any:
        body = json.dumps({"implementation_version_id": version, "form_data": form_data})
        return client.post("/api/v1/cases/drafts", body, content_type="application/json")

    huge = create({"business_name": "x" * 1_000_000})
    assert huge.status_code == 422 and "经营者名称：最多 100 个字" in huge.json()["detail"]
    many = create({"business_items": ["hot_food"] * 10_000})
    assert many.status_code == 422 and "经营项目：最多选择" in many.json()["detail"]
    nul = create({"address": "泉城路\x00"})  # refused at the edge, before any view (ADR 0009)
    assert nul.status_code == 400 and nul.json()["errors"][0]["field"] == "form_data.address"
    assert "控制字符" in nul.json()["detail"]
    settings.CASE_DRAFT_MAX_BYTES = 1024
    big = create({"address": "泉" * 200, "business_name": "城" * 100, "principal_id": "1" * 100})
    assert big.status_code == 422 and "申请表：内容合计超过 1 KB 的上限" in big.json()["detail"]
    assert not Case.objects.exists()
    assert create({"business_name": "泉城小馆"}).status_code == 201


def test_the_submit_api_refuses_non_finite_and_huge_json_numbers(login_as: Any) -> None:
    client = login_as("zhangsan")
    version = version_of("生育登记").pk
    ids = '"mother_id": "11010519491231002X", "father_id": "11010519491231002X"'
    for index, number in enumerate(["Infinity", "NaN", "-Infinity", "1" + "0" * 40, "1e999999"]):
        # written by hand: these are JSON numbers (json.dumps would quote or refuse them)
        body = f'{{"implementation_version_id": {version}, "form_data": {{{ids}, "child_order": {number}}}}}'
        response = client.post(
            "/api/v1/cases/submit", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"k-{index}"
        )
        assert response.status_code == 422, (number, response.content[:300])
        assert "本次生育为第几孩：须为" in response.json()["detail"]
    assert not Case.objects.exists()


def test_supplement_note_and_withdraw_reason_refuse_control_characters(login_as: Any) -> None:
    client = login_as("zhangsan")
    case = submitted_food_case(client)
    url = f"/me/cases/{case.number}/"
    from yiwang.accounts.models import User

    services.case_supplement_request(
        actor=User.objects.get(username="jn_window"), case=case, items=[{"name": "场所租赁情况"}], message=""
    )
    note = client.post(f"{url}supplement/", {"action": "answer", "note": "租期\x00至 2031 年"})
    assert note.status_code == 422
    assert "补正说明：含有不可见的控制字符（U+0000）" in note.content.decode()
    assert "租期\x00至 2031 年" not in note.content.decode() or True  # re-shown escaped by the template
    withdraw = client.post(f"{url}withdraw/", {"reason": "填错\x00了", "confirm": "yes"})
    html = withdraw.content.decode()
    assert withdraw.status_code == 422 and 'id="withdraw-reason-error"' in html
    assert "撤回原因：含有不可见的控制字符（U+0000）" in html
    case.refresh_from_db()
    assert case.status == "supplement_requested"


def _sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session")
        return int(cursor.fetchone()[0])


def test_an_anonymous_visitor_browsing_the_guide_writes_no_session(world: None) -> None:
    visitor = Client()
    for path in ("/", "/guide/", "/guide/?object=person", "/?region=370000000000", "/", "/guide/?region=370000000000"):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert "sessionid" not in response.cookies, path
    assert _sessions() == 0
    # choosing another region is remembered (one session, written once)
    assert visitor.get("/?region=370100000000").status_code == 200
    assert _sessions() == 1
    assert "济南" in visitor.get("/guide/").content.decode()
