"""一件事 pages: the guide, one application page, the bundle page with each part's progress."""

from typing import Any

from yiwang.accounts.models import Region, User
from yiwang.cases.models import BundleCase
from yiwang.cases.tests.flows import pdf
from yiwang.demo.bundles import load_bundles

FORM = {
    "f-company_name": "济南泉城小馆餐饮有限公司",
    "f-address": "济南市历下区泉城路 188 号",
    "f-registered_capital": "50",
    "f-legal_rep_id": "370103198811224564",
    "f-business_scope": "餐饮服务；食品销售。",
    "f-business_items": ["hot_food"],
    "f-has_sign": "true",
    "f-sign_site": "泉城路 188 号门头",
    "f-sign_size": "6",
}
FILES = ("company_application", "shareholders", "premises", "articles", "food_application", "layout", "food_rules")
FILES += ("sign_application", "sign_design")


def _publish() -> None:
    load_bundles(
        drafter=User.objects.get(username="sd_catalog"),
        reviewer=User.objects.get(username="jn_catalog"),
        region=Region.objects.get(code="370100000000"),
    )


def test_the_home_page_leads_to_the_bundle_guide(world: None, client: Any) -> None:
    _publish()
    home = client.get("/").content.decode()
    assert "/bundles/kaiban-canyindian/" in home
    guide = client.get("/bundles/kaiban-canyindian/").content.decode()
    assert "户外广告设置许可" in guide and "设置户外招牌或广告" in guide
    assert "用于：公司设立登记（营业执照）、户外广告设置许可" in guide  # one upload, two items


def test_lisi_applies_once_and_sees_each_part(world: None, login_as: Any) -> None:
    _publish()
    client = login_as("lisi")
    page = client.get("/bundles/kaiban-canyindian/apply/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    files = {f"m-{key}": pdf(f"{key}.pdf") for key in FILES}
    response = client.post(
        "/bundles/kaiban-canyindian/apply/", {**FORM, **files, "action": "submit", "idempotency_key": "k" * 32}
    )
    bundle = BundleCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/me/bundles/{bundle.number}/"
    detail = client.get(response["Location"]).content.decode()
    assert "食品经营许可" in detail and "待“公司设立登记（营业执照）”准予后自动提交" in detail
    assert "根据您填写的情况无需办理" in detail  # 公共场所卫生许可: not a public venue
    assert bundle.number in client.get("/me/cases/").content.decode()


def test_a_missing_field_comes_back_named_with_nothing_lost(world: None, login_as: Any) -> None:
    _publish()
    client = login_as("lisi")
    response = client.post("/bundles/kaiban-canyindian/apply/", {**FORM, "f-company_name": "", "action": "submit"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "企业（门店）名称" in body and "济南市历下区泉城路 188 号" in body
    assert BundleCase.objects.get().status == "draft"


def test_each_department_sees_its_part_and_the_bundle_summary(world: None, login_as: Any) -> None:
    _publish()
    client = login_as("lisi")
    files = {f"m-{key}": pdf(f"{key}.pdf") for key in FILES}
    client.post("/bundles/kaiban-canyindian/apply/", {**FORM, **files, "action": "submit", "idempotency_key": "k" * 32})
    food = BundleCase.objects.get().parts.get(bundle_member="food")
    page = login_as("jn_window").get(f"/workbench/cases/{food.number}/", follow=True).content.decode()
    assert "属于一件事：开办餐饮店一件事" in page
    assert "户外广告设置许可" in page and "待“公司设立登记（营业执照）”准予后自动提交" in page


def test_the_api_lists_the_bundle_and_the_applicants_bundle_cases(world: None, client: Any, login_as: Any) -> None:
    _publish()
    listed = client.get("/api/v1/bundles").json()
    assert [b["code"] for b in listed] == ["kaiban-canyindian"]
    assert {m["key"]: m["after"] for m in listed[0]["members"]}["sign"] == ["company"]
    lisi = login_as("lisi")
    files = {f"m-{key}": pdf(f"{key}.pdf") for key in FILES}
    lisi.post("/bundles/kaiban-canyindian/apply/", {**FORM, **files, "action": "submit", "idempotency_key": "k" * 32})
    number = BundleCase.objects.get().number
    mine = lisi.get(f"/api/v1/bundle-cases/{number}").json()
    assert mine["status"] == "in_progress"
    assert {p["member"]: p["status"] for p in mine["parts"]}["hygiene"] == "not_applicable"
    assert login_as("zhangsan").get(f"/api/v1/bundle-cases/{number}").status_code == 404


def test_the_same_page_posted_twice_submits_once(world: None, login_as: Any) -> None:
    _publish()
    client = login_as("lisi")
    posted = {**FORM, "action": "submit", "idempotency_key": "d" * 32}
    first = client.post("/bundles/kaiban-canyindian/apply/", {**posted, **{f"m-{k}": pdf(f"{k}.pdf") for k in FILES}})
    again = client.post("/bundles/kaiban-canyindian/apply/", posted)
    assert first["Location"] == again["Location"]
    assert BundleCase.objects.count() == 1
