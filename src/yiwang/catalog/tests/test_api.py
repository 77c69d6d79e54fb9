"""The 事项库 API: public reads, the workflow over the session, problem+json refusals."""

from collections.abc import Callable

import pytest
from django.test import Client

from yiwang.catalog import selectors
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.catalog.tests.helpers import FOOD, food_implementation

Login = Callable[[str], Client]


@pytest.mark.usefixtures("world")
def test_search_items_in_everyday_words() -> None:
    body = Client().get("/api/v1/catalog/items", {"q": "开饭店", "page_size": 2}).json()
    assert body["count"] >= 3 and body["pages"] >= 2 and len(body["items"]) == 2
    assert body["items"][0]["name"] == "食品经营许可"
    assert Client().get("/api/v1/catalog/items", {"object": "person", "theme": "health"}).json()["count"] == 3


@pytest.mark.usefixtures("world")
def test_item_versions_and_the_pinned_implementation_version() -> None:
    item = Client().get(f"/api/v1/catalog/items/{FOOD}").json()
    assert item["current"]["name"] == "食品经营许可" and item["current"]["basic_code"] == FOOD
    [implementation] = item["implementations"]
    version = Client().get(f"/api/v1/catalog/implementation-versions/{implementation['implementation_version_id']}")
    body = version.json()
    assert body["statutory_limit_days"] == 10 and body["committed_limit_days"] == 5
    shared = {m["name"]: m["submit_required"] for m in body["materials"]}
    assert shared["营业执照"] is False and shared["食品经营许可申请书"] is True
    assert body["process"]["stages"][0]["name"] == "审查"
    versions = Client().get(f"/api/v1/catalog/items/{FOOD}/versions").json()
    assert [v["number"] for v in versions] == [1]


@pytest.mark.usefixtures("world")
def test_unknown_item_and_bad_region_are_problem_json() -> None:
    response = Client().get("/api/v1/catalog/items/000000000000")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert "000000000000" in response.json()["detail"]
    response = Client().get("/api/v1/catalog/items", {"region": "379999000000"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "region", "message": "区划：代码 379999000000 不存在"}]


def test_drafts_are_not_public(login_as: Login) -> None:
    implementation = food_implementation()
    client = login_as("sd_catalog")
    created = client.post(
        "/api/v1/catalog/implementation-versions",
        {
            "basic_code": FOOD,
            "department_credit_code": implementation.department.credit_code,
            "change_kind": "amend",
            "change_reason": "接口起草",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Client().get(f"/api/v1/catalog/implementation-versions/{created.json()['id']}").status_code == 404


@pytest.mark.parametrize("known", [True, False])
def test_someone_not_a_catalog_admin_learns_nothing_about_department_codes(login_as: Login, known: bool) -> None:
    implementation = food_implementation()
    credit_code = implementation.department.credit_code if known else "000000000000000000"
    client = login_as("jn_window")
    body = {"basic_code": FOOD, "department_credit_code": credit_code, "change_kind": "amend", "change_reason": "试探"}
    answer = client.post("/api/v1/catalog/implementation-versions", body, content_type="application/json")
    assert answer.status_code == 403 and answer.json()["detail"] == "只有事项管理员可以维护事项库。"


def test_the_workflow_over_the_api_with_problem_json_refusals(login_as: Login) -> None:
    implementation = food_implementation()
    drafter = login_as("sd_catalog")
    created = drafter.post(
        "/api/v1/catalog/implementation-versions",
        {
            "basic_code": FOOD,
            "department_credit_code": implementation.department.credit_code,
            "change_kind": "amend",
            "change_reason": "接口调整",
            "elements": {"committed_limit_days": 11, "complaint_phone": "0531-66601019"},
        },
        content_type="application/json",
    )
    version_id = created.json()["id"]
    refused = drafter.post(f"/api/v1/catalog/implementation-versions/{version_id}/submit")
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in refused.json()["errors"]}
    assert {"committed_limit_days", "complaint_phone"} <= fields

    drafter.patch(
        f"/api/v1/catalog/implementation-versions/{version_id}",
        {"elements": {"committed_limit_days": 6, "complaint_phone": "12345"}},
        content_type="application/json",
    )
    assert drafter.post(f"/api/v1/catalog/implementation-versions/{version_id}/submit").json()["status"] == "in_review"
    own = drafter.post(
        f"/api/v1/catalog/implementation-versions/{version_id}/publish", {}, content_type="application/json"
    )
    assert own.status_code == 403 and "起草人以外" in own.json()["detail"]

    published = login_as("jn_catalog").post(
        f"/api/v1/catalog/implementation-versions/{version_id}/publish",
        {"note": "同意"},
        content_type="application/json",
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert selectors.implementation_version_in_force(implementation) == ImplementationVersion.objects.get(pk=version_id)


def test_writes_need_a_session_and_csrf(login_as: Login) -> None:
    anonymous = Client().post(
        "/api/v1/catalog/item-versions",
        {"basic_code": FOOD, "change_kind": "amend", "change_reason": "x"},
        content_type="application/json",
    )
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/problem+json"
    strict = Client(enforce_csrf_checks=True)
    from yiwang.accounts.models import User

    strict.force_login(User.objects.get(username="sd_catalog"))
    no_token = strict.post(
        "/api/v1/catalog/item-versions",
        {"basic_code": FOOD, "change_kind": "amend", "change_reason": "x"},
        content_type="application/json",
    )
    assert no_token.status_code in (401, 403)
    assert not ImplementationVersion.objects.filter(status=VersionStatus.DRAFT).exists()
